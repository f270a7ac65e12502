package dynamobackend

import (
	"context"
	"sync/atomic"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/backend"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// The findings of Check, besides ErrClosed and the requests' errors.
var (
	// ErrMissingTable is returned by Check for a table DynamoDB does not
	// know. It is one value with sqlbackend.ErrMissingTable.
	ErrMissingTable = backend.ErrMissingTable
	// ErrTableNotActive is returned by Check for a table that is not
	// ACTIVE.
	ErrTableNotActive = dynamo.ErrTableNotActive
)

// withOutboxAndCheck sets bcfg's Check and, with cfg.Outbox, its Outbox on
// st. Check describes the outbox's table once Configure provisioned it:
// before, no service uses it.
func withOutboxAndCheck(bcfg *backend.Config, cfg Config, st *dynamostore.Store) {
	var outboxes atomic.Bool
	bcfg.Check = func(ctx context.Context) error {
		checked := cfg
		checked.Outbox = outboxes.Load()
		err := dynamo.CheckTables(ctx, cfg.Client, tableNames(checked))
		return backend.Mark(err, dynamo.ErrMissingTable, ErrMissingTable)
	}
	if !cfg.Outbox {
		return
	}
	bcfg.Outbox = func(ctx context.Context, service string, inner cqrs.Transport) (cqrs.Transport, error) {
		box, err := dynamostore.NewOutbox(ctx, st, dynamostore.OutboxConfig{
			Transport: inner, Name: cfg.OutboxPrefix + service, Logger: cfg.Logger,
		})
		if err == nil {
			outboxes.Store(true)
		}
		return box, err
	}
}

// tableNames names the tables of Tables(cfg).
func tableNames(cfg Config) []string {
	var names []string
	for _, t := range Tables(cfg) {
		names = append(names, t.Name)
	}
	return names
}
