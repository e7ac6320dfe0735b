"""Domain events: what happened to a tenant's fleet (a host went down, came back, ...), kept for the alerts work."""
