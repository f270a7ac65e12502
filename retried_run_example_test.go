package sourceflow_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
)

// A consume step above a retry loop (the tracing middleware) installs an
// observer on the message's context; the retry loop (middleware.Retry, the
// idempotency middleware's TxRetry) reports each run it runs again.
func ExampleWithRetriedRunObserver() {
	ctx := sourceflow.WithRetriedRunObserver(context.Background(), func(run int, err error) {
		fmt.Printf("run %d failed: %v\n", run, err)
	})
	// What a retry loop does after each failed run it runs again:
	for run := 1; run <= 2; run++ {
		sourceflow.ObserveRetriedRun(ctx, run, errors.New("gateway timeout"))
	}
	sourceflow.ObserveRetriedRun(context.Background(), 1, errors.New("no observer: nothing happens"))
	// Output:
	// run 1 failed: gateway timeout
	// run 2 failed: gateway timeout
}
