package middleware_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// A Retrier is the Retry middleware with counters: here the handler fails
// twice, so it is retried twice, and a second message that keeps failing
// is given up on after its two retries. The metrics package exports the
// counters through metrics.HandlerRetriesFunc.
func ExampleRetrier() {
	r, err := middleware.NewRetrier(middleware.RetryConfig{
		Policy: sourceflow.RetryPolicy{MaxRetries: 2, InitialInterval: time.Millisecond},
	})
	if err != nil {
		panic(err)
	}
	failures := 2
	flaky := r.Middleware(func(*message.Message) ([]*message.Message, error) {
		if failures > 0 {
			failures--
			return nil, errors.New("database busy")
		}
		return nil, nil
	})
	_, err = flaky(message.NewMessage("1", nil))
	fmt.Println(err, r.Stats())

	down := r.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, errors.New("down") })
	_, err = down(message.NewMessage("2", nil))
	fmt.Println(errors.Is(err, middleware.ErrRetriesExhausted), r.Stats())
	// Output:
	// <nil> {2 0}
	// true {4 1}
}
