"""ibrun's instrument cache and loader, under nautilus' IB instrument provider.

nautilus 1.231 accepts `cache_validity_days` and `pickle_path` but ignores both. ibrun keeps what
a provider loaded (instruments with their IB contract details) in a versioned JSON file keyed by
what was asked for and the gateway login, and restores it on the next start without a single
contract-details request. A cold load sends its requests concurrently within IB's message rate
and retries through IB's restart window.

- `location`: cache on/off, where its file lives, the request key (light: no nautilus)
- `store`: the file — read, write, why a file is not used (light: msgspec only)
- `gate`: pacing, retries, sec-def farm status and fast "not found" for the provider's requests
- `provider`: nautilus' provider, taught to use all of the above; `adopt_providers` for a node
- `fetch`: a load without a node (`ibrun instruments fetch`)
"""
