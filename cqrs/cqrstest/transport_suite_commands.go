package cqrstest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// commandCount is how many commands the command scenario sends.
const commandCount = 40

// testCommandsSplit: a sender sends commands for several entities to a
// destination that h.Instances instances of service "a" listen to. Every
// command is handled; with several instances they split the work rather
// than each receiving all; service "b", listening to another destination,
// receives none of them, and a command sent to b never reaches a.
func testCommandsSplit(t *testing.T, r *transportRun) {
	dest := r.h.Destination(t, sourceflow.KindCommand, false)
	otherDest := r.h.Destination(t, sourceflow.KindCommand, false)
	seen := &ledger{}
	a := worker(r.service("a"), suiteCommand, dest, seen, apply[suiteCmd])
	b := worker(r.service("b"), suiteOther, otherDest, seen, apply[otherCmd])
	sender := newSpec(r.service("sender"), nil, func(svc *cqrs.Service) error {
		return errors.Join(register[suiteCmd](suiteCommand, dest)(svc), register[otherCmd](suiteOther, otherDest)(svc))
	})
	r.startAll(t, a, r.h.Instances)
	r.startAll(t, b, 1)
	out, _ := r.start(t, sender, 0)

	sent := r.sendEach(t, out, r.entities(4), commandCount/4, func(i int) any { return suiteCmd{N: i} })
	toB := r.sendEach(t, out, r.entities(1), 1, func(i int) any { return otherCmd{N: i} })
	r.waitApplied(t, a, sent)
	r.waitApplied(t, b, toB)

	forB := seen.ids(instanceName(b.name, 0))
	for _, env := range sent {
		assert.False(t, forB[env.MessageID], "command %s for %s reached service b, which listens elsewhere", env.MessageID, dest)
	}
	for i := range r.h.Instances {
		assert.False(t, seen.ids(instanceName(a.name, i))[toB[0].MessageID], "b's command reached %s", instanceName(a.name, i))
	}
	if r.h.Instances > 1 {
		checkSplit(t, seen, a.name, r.h.Instances, sent)
	}
}

// checkSplit checks that each command of sent reached one instance of
// service, not every one: at most a quarter of them (redeliveries) reached
// all instances. How the commands divide is the transport's affair: a
// consumer group that takes turns on a lock may hand them all to one
// instance.
func checkSplit(t *testing.T, seen *ledger, service string, instances int, sent []cqrs.Envelope) {
	t.Helper()
	got := make([]map[string]bool, instances)
	for i := range got {
		got[i] = seen.ids(instanceName(service, i))
	}
	everywhere := 0
	for _, env := range sent {
		all := true
		for _, ids := range got {
			all = all && ids[env.MessageID]
		}
		if all {
			everywhere++
		}
	}
	assert.LessOrEqual(t, everywhere, len(sent)/4, "commands received by every instance of %s", service)
	for i, ids := range got {
		n := 0
		for _, env := range sent {
			if ids[env.MessageID] {
				n++
			}
		}
		t.Logf("%s received %d of %d commands", instanceName(service, i), n, len(sent))
	}
	t.Logf("%d of %d commands reached every instance", everywhere, len(sent))
}
