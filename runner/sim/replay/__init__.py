"""Record a real gateway's TWS API traffic (`ibrun record`) and serve a client from the recording
(`ibrun sim --replay FILE`). The format is documented in runner/sim/README.md ("Record & replay")."""
