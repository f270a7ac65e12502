package topology

import (
	"github.com/sourceflow-go/sourceflow"
)

// Binding returns the routing the file describes: a route per type of each
// destination, and a listener per listened destination.
func (f File) Binding() sourceflow.Binding {
	b, _ := f.binding()
	return b
}

// bindingFields are the file paths of a Binding's routes and listeners, so
// that what New reports about "Binding.Routes[3]" names the file's field.
type bindingFields struct {
	routes, listeners []fieldPath
}

func (f File) binding() (sourceflow.Binding, bindingFields) {
	b := sourceflow.Binding{Service: f.Service}
	var fields bindingFields
	for i, d := range f.Destinations {
		kind := parseKind(d.Kind)
		for j, t := range d.Types {
			b.Routes = append(b.Routes, sourceflow.Route{Type: t, Kind: kind, Destination: d.Name})
			fields.routes = append(fields.routes, fieldPath{"destinations", i, "types", j})
		}
		if d.Listen != nil {
			b.Listeners = append(b.Listeners, sourceflow.Listener{
				Destination: d.Name, Kind: kind, Types: d.Listen.Handles,
			})
			fields.listeners = append(fields.listeners, fieldPath{"destinations", i, "listen"})
		}
	}
	return b, fields
}

// parseKind returns the Kind of a file kind; 0 for an unknown one.
func parseKind(s string) sourceflow.Kind {
	switch s {
	case FileKindCommand:
		return sourceflow.KindCommand
	case FileKindEvent:
		return sourceflow.KindEvent
	}
	return 0
}

// Options returns the Options the file describes. Event queues named in
// listen.queue are named so by Options.EventQueueName; the others get
// DefaultEventQueueName.
func (f File) Options() Options {
	opts := Options{
		VisibilityTimeout: f.Queues.VisibilityTimeout,
		WaitTime:          f.Queues.WaitTime,
		MaxReceiveCount:   f.DeadLetter.MaxReceiveCount,
		KMSKeyID:          f.Encryption.KMSKeyID,
		Tables:            f.Tables,
		Tags:              f.Tags,
	}
	queues := map[string]string{}
	for _, d := range f.Destinations {
		if d.Listen != nil && d.Listen.Queue != "" && parseKind(d.Kind) == sourceflow.KindEvent {
			queues[d.Name] = d.Listen.Queue
		}
	}
	if len(queues) > 0 {
		opts.EventQueueName = func(p EventQueueNameParams) string {
			topic := p.Topic // a destination's name: the topic's ARN when named by it
			if p.TopicARN != "" {
				topic = p.TopicARN
			}
			if q, ok := queues[topic]; ok {
				return q
			}
			return DefaultEventQueueName(p)
		}
	}
	return opts
}

// Plan derives the Plan of the file with New.
func (f File) Plan() (Plan, error) { return New(f.Binding(), f.Options()) }
