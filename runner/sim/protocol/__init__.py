"""The TWS API socket protocol: framing, handshake, message ids and server versions, typed request
parsing and every server→client encoder. It holds no state and calls nothing in the world."""
