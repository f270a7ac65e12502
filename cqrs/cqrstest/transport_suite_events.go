package cqrstest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// eventCount is how many events the event scenario raises.
const eventCount = 10

// testEventsFanOut: services a, b and c subscribe to an event destination,
// each with h.Instances instances; a sender's saga handles commands and
// raises one event for each. Every event reaches every subscribing service
// at least once, under one message id (a redelivery keeps its id), and the
// instances of a service share its events rather than each receiving all.
func testEventsFanOut(t *testing.T, r *transportRun) {
	cmdDest := r.h.Destination(t, sourceflow.KindCommand, false)
	evDest := r.h.Destination(t, sourceflow.KindEvent, false)
	seen := &ledger{}
	subscribers := []string{r.service("a"), r.service("b"), r.service("c")}
	for _, name := range subscribers {
		r.startAll(t, newSpec(name, seen, subscribe(evDest), evDest), r.h.Instances)
	}
	raise := func(ctx context.Context, s *appliedState, c suiteCmd, env cqrs.Envelope) ([]any, error) {
		_, err := apply(ctx, s, c, env)
		return []any{suiteEvt{Command: env.MessageID}}, err
	}
	sender := worker(r.service("sender"), suiteCommand, cmdDest, nil, raise, func(svc *cqrs.Service) error {
		return cqrs.RegisterEvent[suiteEvt](svc, suiteEvent, evDest)
	})
	out, _ := r.start(t, sender, 0)

	sent := r.sendEach(t, out, r.entities(2), eventCount/2, func(i int) any { return suiteCmd{N: i} })
	r.waitApplied(t, sender, sent)
	r.waitFor(t, func() string { return missingEvents(seen, subscribers, r.h.Instances, sent) })

	ids := map[string]map[string]bool{} // command id → ids of the events it raised
	events := map[string]cqrs.Envelope{}
	for _, name := range subscribers {
		for i := range r.h.Instances {
			for _, env := range seen.of(instanceName(name, i)) {
				if ids[env.CausationID] == nil {
					ids[env.CausationID] = map[string]bool{}
				}
				ids[env.CausationID][env.MessageID] = true
				events[env.MessageID] = env
			}
		}
	}
	for _, cmd := range sent {
		assert.Len(t, ids[cmd.MessageID], 1, "the event raised by command %s travels under one message id", cmd.MessageID)
	}
	if r.h.Instances > 1 {
		all := slices.Collect(maps.Values(events))
		for _, name := range subscribers {
			checkSplit(t, seen, name, r.h.Instances, all)
		}
	}
}

// subscribe wires a service that projects the suite's event from dest.
func subscribe(dest string) func(*cqrs.Service) error {
	return func(svc *cqrs.Service) error {
		view := cqrs.NewView[appliedState](svc, "conformance-events")
		return errors.Join(
			cqrs.RegisterEvent[suiteEvt](svc, suiteEvent, dest),
			cqrs.Project(view, func(_ context.Context, s *appliedState, e suiteEvt, _ cqrs.Envelope) error {
				if !slices.Contains(s.Applied, e.Command) {
					s.Applied = append(s.Applied, e.Command)
				}
				return nil
			}),
		)
	}
}

// missingEvents describes the first subscriber that has not received, on
// any of its instances, the event of every command of sent, or returns "".
func missingEvents(seen *ledger, subscribers []string, instances int, sent []cqrs.Envelope) string {
	for _, name := range subscribers {
		causes := map[string]bool{}
		for i := range instances {
			for _, env := range seen.of(instanceName(name, i)) {
				causes[env.CausationID] = true
			}
		}
		for _, cmd := range sent {
			if !causes[cmd.MessageID] {
				return fmt.Sprintf("%s has not received the event of command %s", name, cmd.MessageID)
			}
		}
	}
	return ""
}
