package cqrstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// serviceSpec describes one service of a scenario. Its instances share its
// stores, as instances of one service share a database.
type serviceSpec struct {
	name   string
	listen []string
	// wire registers the instance's types and handlers.
	wire func(svc *cqrs.Service) error
	// seen, when set, records what each instance is handed.
	seen     *ledger
	commands cqrs.CommandStore
	docs     *cqrs.MemoryStore
	// saga reads the state of the service's saga, when it has one.
	saga *cqrs.Saga[appliedState]
}

func newSpec(name string, seen *ledger, wire func(svc *cqrs.Service) error, listen ...string) *serviceSpec {
	return &serviceSpec{name: name, listen: listen, wire: wire, seen: seen,
		commands: cqrs.NewMemoryCommandStore(), docs: cqrs.NewMemoryStore()}
}

// worker returns the spec of a service whose saga handles command C,
// registered as typeName on dest, with handle; extra registers more.
func worker[C any](name, typeName, dest string, seen *ledger, handle cqrs.CommandHandler[C, appliedState],
	extra ...func(*cqrs.Service) error) *serviceSpec {
	spec := newSpec(name, seen, nil, dest)
	spec.wire = func(svc *cqrs.Service) error {
		saga := cqrs.NewSaga[appliedState](svc, "conformance")
		spec.saga = saga
		errs := []error{cqrs.RegisterCommand[C](svc, typeName, dest), cqrs.Handle(saga, handle)}
		for _, fn := range extra {
			errs = append(errs, fn(svc))
		}
		return errors.Join(errs...)
	}
	return spec
}

// instanceName names instance i of a service in a ledger.
func instanceName(service string, i int) string { return fmt.Sprintf("%s#%d", service, i) }

// start builds instance i of spec on a transport from the harness, starts it
// and closes it when the test ends.
func (r *transportRun) start(t *testing.T, spec *serviceSpec, i int) (*cqrs.Service, cqrs.Transport) {
	t.Helper()
	tr := r.h.New(t)
	cfg := cqrs.ServiceConfig{Name: spec.name, Transport: tr, Listen: spec.listen,
		CommandStore: spec.commands, EntityStore: spec.docs, ViewStore: spec.docs, CloseTimeout: r.h.Timeout}
	if spec.seen != nil {
		cfg.HandlerMiddleware = []message.HandlerMiddleware{spec.seen.middleware(instanceName(spec.name, i))}
	}
	svc, err := cqrs.NewService(cfg)
	require.NoError(t, err)
	require.NoError(t, spec.wire(svc), "wire %s", spec.name)
	ctx, cancel := context.WithTimeout(context.Background(), r.h.Timeout)
	defer cancel()
	require.NoError(t, svc.Start(ctx), "start %s", instanceName(spec.name, i))
	t.Cleanup(func() { assert.NoError(t, svc.Close(), "close %s", instanceName(spec.name, i)) })
	return svc, tr
}

// startAll starts n instances of spec and returns them.
func (r *transportRun) startAll(t *testing.T, spec *serviceSpec, n int) []*cqrs.Service {
	t.Helper()
	out := make([]*cqrs.Service, n)
	for i := range n {
		out[i], _ = r.start(t, spec, i)
	}
	return out
}

// register returns a wiring that registers command C as typeName on dest.
func register[C any](typeName, dest string) func(*cqrs.Service) error {
	return func(svc *cqrs.Service) error { return cqrs.RegisterCommand[C](svc, typeName, dest) }
}

// sendEach sends, for every entity, the commands cmd returns for 0..n-1,
// one after another; the entities are sent for concurrently. It returns the
// envelopes sent, per entity in order.
func (r *transportRun) sendEach(t *testing.T, svc *cqrs.Service, entities []string, n int, cmd func(i int) any) []cqrs.Envelope {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), r.h.Timeout)
	defer cancel()
	sent := make([][]cqrs.Envelope, len(entities))
	errs := make([]error, len(entities))
	var wg sync.WaitGroup
	for e, entity := range entities {
		wg.Go(func() {
			agg := cqrs.NewAggregate(svc, "conformance")
			for i := range n {
				env, err := agg.Send(ctx, entity, cmd(i))
				if err != nil {
					errs[e] = fmt.Errorf("send %d for %s: %w", i, entity, err)
					return
				}
				sent[e] = append(sent[e], env)
			}
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	return slices.Concat(sent...)
}

// unapplied returns the message ids of sent whose command the saga has not
// applied to its entity. A command applied more than once fails the test.
func (s *serviceSpec) unapplied(t *testing.T, sent []cqrs.Envelope) []string {
	t.Helper()
	var out []string
	for _, env := range sent {
		state, _, err := s.saga.Load(context.Background(), env.EntityID)
		require.NoError(t, err)
		switch n := count(state.Applied, env.MessageID); {
		case n == 0:
			out = append(out, env.MessageID)
		case n > 1:
			require.Failf(t, "a command's effect is applied more than once",
				"%s applied command %s %d times: a redelivery ran the saga again", s.name, env.MessageID, n)
		}
	}
	return out
}

// count returns how many times id occurs in ids.
func count(ids []string, id string) int {
	n := 0
	for _, x := range ids {
		if x == id {
			n++
		}
	}
	return n
}

// waitApplied waits until spec's saga applied every command of sent.
func (r *transportRun) waitApplied(t *testing.T, spec *serviceSpec, sent []cqrs.Envelope) {
	t.Helper()
	r.waitFor(t, func() string {
		if missing := spec.unapplied(t, sent); len(missing) > 0 {
			return fmt.Sprintf("%s has not applied %d of %d commands, e.g. %s", spec.name, len(missing), len(sent), missing[0])
		}
		return ""
	})
}
