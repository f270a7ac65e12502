// Package middleware orders SourceFlow's message pipeline and provides the
// small middleware it needs everywhere: Recover, Correlation, Retry and the
// publish CircuitBreaker, plus adapters that turn a plain function into a
// hook.
//
// # Stack
//
// A Stack holds message.HandlerMiddleware (consume side) and
// message.PublisherDecorator (produce side) in named phases whose order is
// fixed, whatever the order of registration. Several entries in one phase
// keep their registration order. Feature packages (middleware/tracing,
// middleware/metrics, middleware/encryption, idempotency) return plain
// Watermill types and do not import this package; the application places them.
//
// Consume side, outermost first (a message passes top to bottom):
//
//	ConsumeRecover      a panic anywhere inside becomes an error (Recover)
//	ConsumeTracing      extract trace context, start the consumer span; Correlation just before it
//	ConsumeMetrics      count every outcome, duplicates included
//	ConsumeIdempotency  claim the message id; a duplicate is acked before decryption or the handler
//	ConsumeDecrypt      decrypt the body
//	ConsumeRetry        retry the handler only, bounded well inside the visibility timeout (NewRetry)
//	                    then the typed handler
//
// Produce side, in the order an outgoing message passes:
//
//	ProduceCorrelation  stamp the correlation id (CorrelatePublisher)
//	ProduceTracing      start the producer span, inject trace context into metadata
//	ProduceEncrypt      encrypt the body
//	ProduceMetrics      count and time the send; CircuitBreaker just after metrics
//	                    then the transport
//
// Stack.String prints both chains: the phases that hold an entry, in phase
// order, and the names registered in each (an empty Stack prints "consume:
// handler; produce: transport"). Stack.HandlerMiddlewares and
// Stack.PublisherDecorators return the chains in the order
// cqrs.ServiceConfig.HandlerMiddleware and PublisherDecorators expect, as do
// message.Router.AddMiddleware and message.Router.AddPublisherDecorators
// (the Router decorates handler output only; see Usage). Stack.WrapHandler and
// Stack.DecoratePublisher apply them by hand, e.g. to the command and event
// publishers. Applying PublisherDecorators front to back yourself would
// reverse the produce phases: use DecoratePublisher.
//
// # Decisions
//
//   - The phases are the design's closed list; a piece that serves another
//     one is placed next to it by name, before or after (Stack.Insert,
//     Stack.InsertDecorator, as smithy-go's steps place middleware relative
//     to an ID): the consume side of Correlation goes just before the
//     tracer. Stack.Add registers pieces with both a consume and a produce
//     side (tracing, metrics, encryption) as one Step, all or nothing.
//   - A name is unique within its phase; bad registrations return typed
//     errors and leave the Stack unchanged.
//   - Recover is outermost and Retry innermost, so a panic is never retried,
//     and a panic is not marked permanent. Retry does not retry a panic
//     recovered below it (cqrs's dispatcher returns one as a *PanicError)
//     either.
//   - With transactional idempotency the handler runs inside the handling
//     transaction, and Retry does not run the handler again in it (its
//     writes would commit with the next attempt's): the idempotency
//     middleware runs the handling again in a new transaction
//     (idempotency.MiddlewareConfig.TxRetry, the same defaults).
//   - Retry's defaults (3 retries, 100 ms doubling to at most 2 s, no retry
//     starting past 10 s) stay well inside SQS's default 30 s visibility
//     timeout.
//   - An error that hints when to try again (sourceflow.RetryAfter, as a
//     handler's whose rate-limited API says when) is retried after at
//     least that delay when it ends within MaxElapsed; a longer hint makes
//     Retry log it and return the error at once, and the transport
//     delivers the message again after the hinted delay. Idempotency's
//     TxRetry does the same; it alone, being outside ConsumeDecrypt, sees
//     the encryption Decrypter's hint while a key is refused.
//
// # Circuit breaker
//
// CircuitBreaker (on github.com/sony/gobreaker/v2) keeps one circuit per
// destination: closed, open after ConsecutiveFailures failed publishes in a
// row (or FailureRatio of an Interval's publishes), half-open after
// OpenTimeout with exactly one probe let through, closed again by the
// probe's success. An open circuit rejects a publish at once with an error
// matching ErrCircuitOpen and naming the destination; nothing is dropped
// silently: a handler's publish fails, the handler fails and its message is
// redelivered. Retry returns that failure at once, without running the
// handler again (the circuit would refuse until its OpenTimeout ends), and
// the transport redelivers the message later. A half-open circuit rejects
// the other publishes while its probe has not returned, with an error
// matching ErrCircuitOpen and also sourceflow.ErrCircuitHalfOpen: that
// refusal clears within one publish, so Retry (and the idempotency
// middleware's TxRetry) retries it as any transient failure, instead of
// sending the message back to the transport; match ErrCircuitHalfOpen to
// tell it apart. A transport that
// dead-letters a message on its last allowed receive (awsbus, at the
// queue's maxReceiveCount) does so for a destination that stays open
// through all of them (with a cqrs service, the handler's error, naming
// the open circuit, is the reason); redrive those messages once the
// destination is back. Errors that are the caller's own fault
// (sourceflow.Permanent, a cancelled context) never trip it, nor does a
// command sent in process to a destination nothing listens to yet
// (sourceflow.ErrNoListener). It is placed innermost on the produce side,
// just after metrics (InsertDecorator("metrics", After, …)), so metrics
// counts rejections and the circuit sees only transport failures.
// Its Circuits method is a sourceflow.CircuitSource: the metrics package
// exports it as the gauge sourceflow.publish.circuit.state, and awsbus's
// health report lists it, neither importing this package. The library reads
// the system clock, so the breaker takes no sourceflow.Clock.
//
// NewRetrier builds the Retry middleware as a Retrier, whose Stats count
// the handler runs it retried and the deliveries it gave up on; the
// metrics package exports them (metrics.Config.HandlerRetries) as
// sourceflow.handler.retries and sourceflow.handler.give_ups.
//
// # Hooks
//
// SourceFlow.Net has four middleware hooks. On Watermill they are:
//
//	command dispatch   PublishHook, a decorator on the command publisher
//	event dispatch     PublishHook, a decorator on the event publisher
//	command subscribe  HandlerHook, a middleware on command listeners
//	event subscribe    HandlerHook, a middleware on event listeners
//
// The cqrs package applies them there. As in SourceFlow.Net, the first
// registered hook is outermost (in a Stack phase, and in the lists given to
// message.Router.AddMiddleware and AddPublisherDecorators); a hook may short-circuit by not calling next,
// handle next's error, change metadata before calling next, or call next twice
// (publishing twice).
//
// # Concurrency
//
// A Stack is safe for concurrent use. The methods that return or apply its
// chains take a snapshot, so entries added later do not affect chains already
// built. The middleware in this package keep no per-message state between
// calls and are safe to run on many messages at once.
//
// # Usage
//
// With a cqrs.Service, the chains go in the service's configuration:
//
//	var s middleware.Stack
//	retry, err := middleware.NewRetry(middleware.RetryConfig{})
//	if err != nil {
//		return err
//	}
//	err = errors.Join(s.Use(middleware.ConsumeRecover, "recover", middleware.Recover),
//		s.Use(middleware.ConsumeRetry, "retry", retry),
//		s.Decorate(middleware.ProduceCorrelation, "correlation", middleware.CorrelatePublisher))
//	if err != nil {
//		return err
//	}
//	svc, err := cqrs.NewService(cqrs.ServiceConfig{
//		Name:                "orders",
//		HandlerMiddleware:   s.HandlerMiddlewares(),
//		PublisherDecorators: s.PublisherDecorators(),
//		// …
//	})
//
// The service wraps each of its handlers in HandlerMiddleware inside the
// mark that records a sourceflow.Permanent failure on the nacked message,
// so transports dead-letter it at once, and decorates the publishers its
// commands and events are sent through with PublisherDecorators. A
// message.Router's AddMiddleware and AddPublisherDecorators are no
// substitute there. Router-level middleware added before the service
// starts wraps its handlers from outside that mark, so a permanent failure
// it returns is redelivered like an ordinary one; keep it for cross-cutting
// Watermill concerns (logging, throttling). The router's publisher
// decorators wrap only the publisher of the messages a handler returns,
// which the service does not use: encryption, tracing or metrics placed
// there never apply to the service's sends.
//
// On a plain Watermill router, without cqrs, a handler's returned messages
// are what it publishes, and the router applies both chains:
//
//	router.AddMiddleware(s.HandlerMiddlewares()...)
//	router.AddPublisherDecorators(s.PublisherDecorators()...)
package middleware
