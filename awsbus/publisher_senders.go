package awsbus

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// builtSender is the sender built for one endpoint.
type builtSender struct {
	ep topology.Endpoint
	s  sender
}

// sender returns the sender of ep, the endpoint destination resolved to,
// built on the first publish to it and kept by its name: a publish builds
// neither its calls nor, for a queue or topic of another region, their
// region option. An endpoint that Resolve answers otherwise for the same
// name gets a sender of its own. It is kept in the endpoint's lane, the
// Publisher's one record per destination. Concurrent first publishes may
// each build one; they are alike and the last kept serves the later ones.
func (p *Publisher) sender(destination string, ep topology.Endpoint) (sender, error) {
	l := p.lane(ep)
	if b := l.built.Load(); b != nil && b.ep == ep {
		return b.s, nil
	}
	var s sender
	switch ep.Kind {
	case sourceflow.KindCommand:
		s = p.sqsSender(ep)
	case sourceflow.KindEvent:
		if p.cfg.SNS == nil {
			return sender{}, fmt.Errorf("%w: PublisherConfig.SNS is nil, cannot publish event to %q", ErrInvalidConfig, destination)
		}
		s = p.snsSender(ep)
	default:
		return sender{}, fmt.Errorf("%w: destination %q has kind %v", ErrInvalidConfig, destination, ep.Kind)
	}
	l.built.Store(&builtSender{ep: ep, s: s})
	return s, nil
}
