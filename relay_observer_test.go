package sourceflow_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

type ctxKey string

// recordingObserver adds its name to the context and logs its calls.
type recordingObserver struct {
	name string
	log  *[]string
}

func (o recordingObserver) Relay(ctx context.Context, r sourceflow.Relayed) (context.Context, func(error)) {
	*o.log = append(*o.log, o.name+" relay "+r.Destination+" seen "+valueOf(ctx))
	return context.WithValue(ctx, ctxKey("seen"), valueOf(ctx)+o.name), func(err error) {
		*o.log = append(*o.log, o.name+" done "+err.Error())
	}
}

func valueOf(ctx context.Context) string {
	s, _ := ctx.Value(ctxKey("seen")).(string)
	return s
}

// Each observer sees the context the one before returned; their result
// functions run last first, each with the attempt's error.
func TestObserveRelayChainsObservers(t *testing.T) {
	var log []string
	observers := []sourceflow.RelayObserver{recordingObserver{"a", &log}, recordingObserver{"b", &log}}
	ctx, done := sourceflow.ObserveRelay(context.Background(), observers, sourceflow.Relayed{Outbox: "o", Destination: "orders"})
	done(errors.New("refused"))
	assert.Equal(t, "ab", valueOf(ctx))
	assert.Equal(t, []string{"a relay orders seen ", "b relay orders seen a", "b done refused", "a done refused"}, log)
}

// Without observers the context is returned as it is, and nothing is
// allocated.
func TestObserveRelayWithoutObserversCostsNothing(t *testing.T) {
	ctx := context.WithValue(context.Background(), ctxKey("seen"), "x")
	r := sourceflow.Relayed{Outbox: "o", Destination: "orders", Metadata: map[string]string{}}
	allocs := testing.AllocsPerRun(100, func() {
		got, done := sourceflow.ObserveRelay(ctx, nil, r)
		done(nil)
		if got != ctx {
			panic("context changed")
		}
	})
	assert.Zero(t, allocs)
}
