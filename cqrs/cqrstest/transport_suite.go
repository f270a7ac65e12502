package cqrstest

import (
	"cmp"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TransportHarness builds what a conformance run needs from one transport
// implementation.
type TransportHarness struct {
	// New returns the transport of one service instance. The kit calls it
	// once per instance; instances of one service share destinations. The
	// suite closes the services it starts, not their transports: New closes
	// what it creates (t.Cleanup); an in-process transport may return one
	// shared transport every time.
	New func(t *testing.T) cqrs.Transport
	// Destination returns a destination name of kind unique to this run;
	// ordered asks for one that claims per-entity order (a name ending in
	// ".fifo").
	Destination func(t *testing.T, kind sourceflow.Kind, ordered bool) string
	// DeadLetters returns the reason (sourceflow.MetaFailure or the
	// transport's own record) of every message dead-lettered from
	// destination so far, by message id (sourceflow.MetaMessageID, or the
	// Watermill UUID of a message without one).
	DeadLetters func(t *testing.T, destination string) map[string]string
	// Instances is how many instances of one service may listen to one
	// command destination at once (1 for an in-process transport).
	// Default 2.
	Instances int
	// Ordered says the transport keeps per-entity order on ordered
	// destinations.
	Ordered bool
	// Timeout bounds every wait. Default 60s.
	Timeout time.Duration
}

func (h *TransportHarness) setDefaults() {
	h.Instances = cmp.Or(h.Instances, 2)
	h.Timeout = cmp.Or(h.Timeout, 60*time.Second)
}

// RunTransport runs the transport conformance suite: the model-level
// guarantees every SourceFlow transport keeps. A command reaches one
// listening service, its instances sharing the work; an event reaches every
// subscribing service; a nacked message is redelivered; a permanent failure
// and a message without an envelope are dead-lettered with their reason
// while other messages flow; per-entity order holds on ordered destinations
// (when h.Ordered); Close waits for the handler in flight and loses no
// message. Delivery is at least once: the suite checks that every message is
// handled and that its effects are applied once, never that it is received
// once. A failing message must be delivered at least 3 times before it is
// dead-lettered. Subtests run in parallel, each with its own destinations,
// services and entities.
func RunTransport(t *testing.T, h TransportHarness) {
	t.Helper()
	h.setDefaults()
	if h.New == nil || h.Destination == nil || h.DeadLetters == nil {
		t.Fatal("cqrstest: TransportHarness needs New, Destination and DeadLetters")
	}
	nonce := watermill.NewShortUUID()[:6]
	runSuite(t, []suiteCase[*transportRun]{
		{"CommandReachesOneServiceSplitAcrossInstances", testCommandsSplit},
		{"EventReachesEverySubscribingService", testEventsFanOut},
		{"NackedMessageIsRedelivered", testRedelivery},
		{"PermanentFailureIsDeadLetteredOthersFlow", testDeadLetter},
		{"PerEntityOrderOnOrderedDestination", testEntityOrder},
		{"CloseDrainsHandlerInFlight", testCloseDrains},
	}, func(_ *testing.T, i int) *transportRun {
		return &transportRun{h: h, name: fmt.Sprintf("tc%s%d", nonce, i+1)}
	})
}

// transportRun is one scenario's use of the harness. Its name, unique per
// scenario and run, prefixes the scenario's service names and entity ids.
type transportRun struct {
	h    TransportHarness
	name string
}

// service returns the name of the scenario's service in role.
func (r *transportRun) service(role string) string { return r.name + "-" + role }

// entities returns n entity ids unique to the scenario.
func (r *transportRun) entities(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-e%d", r.name, i)
	}
	return out
}

// pollInterval is how often a wait checks its condition.
const pollInterval = 20 * time.Millisecond

// waitFor runs check, in the test's goroutine, until it reports no
// problem (""); after h.Timeout the test fails with the last problem.
func (r *transportRun) waitFor(t *testing.T, check func() string) {
	t.Helper()
	deadline := time.Now().Add(r.h.Timeout)
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		problem := check()
		if problem == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("cqrstest: still after %s: %s", r.h.Timeout, problem)
		}
		<-tick.C
	}
}
