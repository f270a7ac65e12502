//go:build integration

package integration

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// Message types of the model tests. Their logical names are registered
// explicitly by each test.
type (
	// PayOrder asks the payments service to take payment for an order.
	PayOrder struct {
		Amount int `json:"amount"`
	}
	// OrderPaid is raised by the payments saga once an order is paid.
	OrderPaid struct {
		Amount int `json:"amount"`
	}
	// ConfirmOrder is sent by the orders aggregate when it learns of a payment.
	ConfirmOrder struct{}
	// Payment is the payments saga's entity state.
	Payment struct {
		Amount   int  `json:"amount"`
		Paid     bool `json:"paid"`
		Commands int  `json:"commands"`
	}
	// OrderState is the orders saga's entity state.
	OrderState struct {
		Confirmed bool `json:"confirmed"`
	}
	// OrderSummary is a view model projected from OrderPaid.
	OrderSummary struct {
		Amount int  `json:"amount"`
		Paid   bool `json:"paid"`
		Events int  `json:"events"`
	}
	// Step is one numbered command of an entity's ordered stream.
	Step struct {
		N int `json:"n"`
	}
	// StepDone is raised for every handled Step.
	StepDone struct {
		N int `json:"n"`
	}
	// Sequences records the sequence numbers an entity's handler saw, in
	// the order it saw them.
	Sequences struct {
		Seen []int64 `json:"seen"`
	}
)

// modelService builds a cqrs.Service over its own awsbus.Transport (the
// shared emulator configuration, the service's name) and closes both at the
// end of the test. The caller registers types and handlers, then calls
// startModel.
func modelService(t *testing.T, acfg awsbus.Config, scfg cqrs.ServiceConfig) (*cqrs.Service, *awsbus.Transport) {
	t.Helper()
	if acfg.WaitTime == 0 {
		acfg.WaitTime = time.Second
	}
	if acfg.VisibilityTimeout == 0 {
		acfg.VisibilityTimeout = 10 * time.Second
	}
	if acfg.ShutdownTimeout == 0 {
		acfg.ShutdownTimeout = 5 * time.Second
	}
	tr, err := awsbus.NewTransportFromAWS(awsConfig(t), acfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tr.Close(), "close transport of %s", scfg.Name) })
	scfg.Transport = tr
	if scfg.CloseTimeout == 0 {
		scfg.CloseTimeout = 10 * time.Second
	}
	svc, err := cqrs.NewService(scfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, svc.Close(), "close service %s", scfg.Name) })
	return svc, tr
}

// startModel starts the services in order; each Bind provisions its part of
// the topology before the next starts.
func startModel(t *testing.T, svcs ...*cqrs.Service) {
	t.Helper()
	for _, svc := range svcs {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		err := svc.Start(ctx)
		cancel()
		require.NoError(t, err, "start %s", svc.Name())
	}
}

// handled is one run of a typed handler or one delivery to a service.
type handled struct {
	Service string
	Handler string
	Env     cqrs.Envelope
}

// ledger records handler runs and deliveries from many goroutines.
type ledger struct {
	mu      sync.Mutex
	entries []handled
}

func (l *ledger) add(service, handler string, env cqrs.Envelope) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, handled{Service: service, Handler: handler, Env: env})
}

func (l *ledger) all() []handled {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.entries)
}

// count returns how many entries match.
func (l *ledger) count(match func(handled) bool) int {
	n := 0
	for _, e := range l.all() {
		if match(e) {
			n++
		}
	}
	return n
}

// byHandler returns the entries of one service's handler.
func (l *ledger) byHandler(service, handler string) []handled {
	var out []handled
	for _, e := range l.all() {
		if e.Service == service && e.Handler == handler {
			out = append(out, e)
		}
	}
	return out
}

// servicesThatSaw lists, sorted and once each, the services a message id
// reached (as recorded by the deliveries middleware).
func (l *ledger) servicesThatSaw(messageID string) []string {
	var out []string
	for _, e := range l.all() {
		if e.Handler == hDelivery && e.Env.MessageID == messageID {
			out = append(out, e.Service)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// messageIDs lists, sorted and once each, the message ids one service's
// handler ran for.
func (l *ledger) messageIDs(service, handler string) []string {
	var out []string
	for _, e := range l.byHandler(service, handler) {
		out = append(out, e.Env.MessageID)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// deliveries is a consume-side middleware that records, for service, every
// message its router is handed (whatever the outcome), under handler
// "delivery".
func deliveries(service string, l *ledger) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			env, err := cqrs.EnvelopeOf(msg)
			if err == nil {
				l.add(service, "delivery", env)
			}
			return h(msg)
		}
	}
}

// gauge tracks how many handlers run at once and the peak.
type gauge struct {
	mu   sync.Mutex
	now  int
	peak int
	per  map[string]int
	bad  []string
}

// enter marks a handler of entity as running; it records a violation when
// another handler of the same entity is already running.
func (g *gauge) enter(entity string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.per == nil {
		g.per = map[string]int{}
	}
	g.now++
	g.peak = max(g.peak, g.now)
	if g.per[entity]++; g.per[entity] > 1 {
		g.bad = append(g.bad, fmt.Sprintf("entity %s handled %d at once", entity, g.per[entity]))
	}
}

func (g *gauge) leave(entity string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now--
	g.per[entity]--
}

func (g *gauge) result() (peak int, violations []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.peak, slices.Clone(g.bad)
}

// oneTo returns 1..n as int64.
func oneTo(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i + 1)
	}
	return out
}

// snsPatience bounds the waits of flows that cross SNS: on a loaded
// machine LocalStack takes tens of seconds to deliver an SNS message to its
// queues.
const snsPatience = 2 * time.Minute
