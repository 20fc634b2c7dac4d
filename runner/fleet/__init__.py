"""Fleets: a fleet file exported to docker compose and Kubernetes (ibrun runs none of it)."""
