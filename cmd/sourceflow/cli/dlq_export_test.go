package cli

import (
	"context"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// WithDLQFakes returns ctx carrying the KMS client and clock the dlq
// commands use instead of the defaults, for Run in tests.
func WithDLQFakes(ctx context.Context, api encryption.KMSAPI, clock sourceflow.Clock) context.Context {
	d := dlqDeps{clock: clock}
	if api != nil {
		d.kms = func(context.Context) (encryption.KMSAPI, error) { return api, nil }
	}
	return context.WithValue(ctx, dlqDepsKey{}, d)
}
