package sourceflow_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sourceflow-go/sourceflow"
)

// A failure that no retry can cure is marked permanent; the original error
// stays reachable.
func ExamplePermanent() {
	errBadJSON := errors.New("payload is not JSON")
	err := sourceflow.Permanent(fmt.Errorf("decode: %w", errBadJSON))
	fmt.Println(sourceflow.IsPermanent(err), errors.Is(err, errBadJSON))
	fmt.Println(sourceflow.IsPermanent(errBadJSON))
	// Output:
	// true true
	// false
}

// Transports with an attribute budget pack the envelope keys into one
// attribute and send the type in its own.
func ExampleEnvelopeKeys() {
	fmt.Println(len(sourceflow.EnvelopeKeys()), sourceflow.IsEnvelopeKey(sourceflow.MetaType), sourceflow.AttributeBudget)
	// Output: 11 false 10
}

// A retry loop under a policy: Next says how long to wait or why to stop.
func ExampleRetryPolicy_Start() {
	calls := 0
	op := func(context.Context) error {
		calls++
		if calls < 3 {
			return errors.New("busy")
		}
		return nil
	}
	ctx := context.Background()
	b := sourceflow.RetryPolicy{MaxRetries: 5, InitialInterval: time.Millisecond}.Start(nil)
	for {
		err := op(ctx)
		if err == nil {
			fmt.Println("done after", b.Attempts(), "attempts")
			return
		}
		wait, stop := b.Next(ctx)
		if stop == nil {
			stop = b.Wait(ctx, wait)
		}
		if stop != nil {
			fmt.Printf("gave up after %d attempts (%v): %v\n", b.Attempts(), stop, err)
			return
		}
	}
	// Output:
	// done after 3 attempts
}
