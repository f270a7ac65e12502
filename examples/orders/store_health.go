package main

import (
	"context"
	"time"
)

// storeHealthTimeout bounds the store's check of one /healthz request
// (readiness; /livez, the liveness probe, checks no dependency).
const storeHealthTimeout = 3 * time.Second

// storeHealth reports the shared store (-store postgres, sqlite or
// dynamodb) up when check, its backend's Check, passes within
// storeHealthTimeout: the database answers and its tables are there (a
// SQL ping and one query; a DescribeTable per DynamoDB table, each ACTIVE).
// A database that stops answering, or a table dropped, keeps /healthz at
// 503 with the reason, while the transports alone would report the
// instance up with every message failing.
func storeHealth(store string, check func(ctx context.Context) error) healthFunc {
	return func(ctx context.Context) (bool, any) {
		ctx, cancel := context.WithTimeout(ctx, storeHealthTimeout)
		defer cancel()
		if err := check(ctx); err != nil {
			return false, map[string]any{"status": "down", "store": store, "error": err.Error()}
		}
		return true, map[string]any{"status": "up", "store": store}
	}
}

// withStoreHealth adds the store's check, when it has one, to the
// transports' report: up when both are.
func withStoreHealth(transports, store healthFunc) healthFunc {
	if store == nil {
		return transports
	}
	return func(ctx context.Context) (bool, any) {
		tUp, tDetails := transports(ctx)
		sUp, sDetails := store(ctx)
		return tUp && sUp, map[string]any{"transports": tDetails, "store": sDetails}
	}
}
