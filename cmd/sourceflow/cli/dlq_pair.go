package cli

import (
	"fmt"
	"strings"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// dlqPair is a dead-letter queue of a topology file and the queue it
// belongs to.
type dlqPair struct {
	// dlq is the dead-letter queue's name.
	dlq string
	// source is the queue whose RedrivePolicy names dlq.
	source string
	// fifo is true for a FIFO pair.
	fifo bool
	// destination is the model destination of source (the command queue,
	// or the topic an event queue subscribes to): the destination bound
	// into the encryption context of its messages.
	destination string
	// owned is true when the service consumes source: its dead-letter
	// queue is the service's, created by apply. The other queues of the
	// file are only sent to; their owners create their dead-letter queues.
	owned bool
}

// dlqPairs returns every dead-letter queue of plan, in plan order: those of
// the command queues and of the service's event queues.
func dlqPairs(plan topology.Plan) []dlqPair {
	dest := map[string]string{}
	for _, d := range plan.Destinations {
		if d.Queue != "" {
			dest[d.Queue] = d.Name
		}
	}
	out := make([]dlqPair, 0, len(plan.Queues))
	for _, q := range plan.Queues {
		d := dest[q.Name]
		if d == "" {
			d = q.Name
		}
		out = append(out, dlqPair{dlq: q.DLQ, source: q.Name, fifo: q.FIFO, destination: d, owned: q.Owned})
	}
	return out
}

// findPair returns the pair of name, a dead-letter queue or its source
// queue, among the pairs of the queues the service consumes; a usage error
// when name is the pair of a queue the service only sends to (its
// consumer's), or when it names no pair, listing the service's dead-letter
// queues.
func (s *session) findPair(name string) (dlqPair, error) {
	var names []string
	for _, p := range dlqPairs(s.plan) {
		switch {
		case (p.dlq == name || p.source == name) && !p.owned:
			return dlqPair{}, &ExitError{Code: ExitUsage, Err: fmt.Errorf("--queue %s: %s is a queue this service only "+
				"sends to: the service that consumes it owns its dead-letter queue %s, and inspects, redrives and purges "+
				"it with its own topology file", name, p.source, p.dlq)}
		case p.dlq == name || p.source == name:
			return p, nil
		case p.owned:
			names = append(names, p.dlq)
		}
	}
	if len(names) == 0 {
		return dlqPair{}, &ExitError{Code: ExitUsage, Err: fmt.Errorf("--queue %q: service %s consumes no queue, "+
			"so it has no dead-letter queue (%s)", name, s.plan.Service, s.source())}
	}
	return dlqPair{}, &ExitError{Code: ExitUsage, Err: fmt.Errorf("--queue %q is neither a dead-letter queue of %s nor "+
		"the queue of one; its dead-letter queues are: %s (`sourceflow dlq list -f %s` shows them)",
		name, s.source(), strings.Join(names, ", "), fileArg(s.path))}
}
