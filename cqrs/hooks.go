package cqrs

import "github.com/ThreeDotsLabs/watermill/message"

// Hooks are SourceFlow's four middleware hooks expressed as Watermill types.
// Within each list the first entry is outermost. Hooks run inside the
// service-wide pipeline (ServiceConfig.HandlerMiddleware and
// PublisherDecorators): dispatch hooks see a message before the produce
// phases, subscribe hooks see it after the consume phases (decrypted, claimed).
type Hooks struct {
	// CommandDispatch decorates the publishers commands are sent through.
	CommandDispatch []message.PublisherDecorator
	// EventDispatch decorates the publishers events are raised through.
	EventDispatch []message.PublisherDecorator
	// CommandSubscribe wraps the handlers of listened command destinations.
	CommandSubscribe []message.HandlerMiddleware
	// EventSubscribe wraps the handlers of listened event destinations.
	EventSubscribe []message.HandlerMiddleware
}

// decorate applies decorators so that decorators[0] is outermost and sees a
// message first, as Watermill's router applies its publisher decorators.
func decorate(pub message.Publisher, decorators []message.PublisherDecorator) (message.Publisher, error) {
	for i := len(decorators) - 1; i >= 0; i-- {
		var err error
		if pub, err = decorators[i](pub); err != nil {
			return nil, err
		}
	}
	return pub, nil
}

// chain wraps h so that middlewares[0] is outermost.
func chain(h message.HandlerFunc, middlewares []message.HandlerMiddleware) message.HandlerFunc {
	for i := len(middlewares) - 1; i >= 0; i-- {
		h = middlewares[i](h)
	}
	return h
}
