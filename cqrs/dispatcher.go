package cqrs

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"sort"
	"sync/atomic"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// boundHandler is a typed handler after registration: it decodes the payload
// itself and runs with the incoming envelope in its context.
type boundHandler struct {
	name string
	// qualified is "<service>/<name>", set when the handler is added to a
	// dispatcher.
	qualified string
	run       func(ctx context.Context, env Envelope, payload []byte) error
	// inTx reports whether the store the handler writes joins the
	// transaction a handling context carries (nil: it never does).
	inTx func(context.Context) bool
	// warned is set for a saga or view handler on a MemoryStore (see
	// memoryWarning).
	warned *atomic.Bool
}

// dispatcher is the single router handler of one listened destination. It
// reads the message's type and runs the handlers registered for it; a type
// with no handler is an error, never silently acknowledged, unless it is an
// event outside its consumer group's filter (see unhandled).
type dispatcher struct {
	service     string
	destination string
	kind        sourceflow.Kind
	codec       Codec
	handlers    map[string][]boundHandler
	progress    progress
	registry    *registry // resolves a type's aliases (Aliases)
	outsideTx   *outsideTx
}

func newDispatcher(s *Service, destination string, kind sourceflow.Kind) *dispatcher {
	return &dispatcher{service: s.cfg.Name, destination: destination, kind: kind, codec: s.cfg.Codec,
		handlers: map[string][]boundHandler{}, registry: s.types, outsideTx: &outsideTx{logger: s.cfg.Logger, service: s.cfg.Name}}
}

func (d *dispatcher) add(typeName string, h boundHandler) {
	h.qualified = d.service + "/" + h.name
	d.handlers[typeName] = append(d.handlers[typeName], h)
}

// types returns the type names the destination's handlers take, with
// their aliases, sorted.
func (d *dispatcher) types() []string {
	out := make([]string, 0, len(d.handlers))
	for t := range d.handlers {
		out = append(out, t)
		if info, ok := d.registry.ofName(t); ok {
			out = append(out, info.aliases...)
		}
	}
	sort.Strings(out)
	return out
}

// handle is the Watermill handler function. Errors that no retry can cure
// are marked permanent so that transports dead-letter them at once; a
// message of a type no handler takes is retried until its last delivery
// first (see unknownType). They
// name the message's id, which its sender chose, as quotedID quotes it or
// as sourceflow.IDText shows it (bounded): never as it came.
func (d *dispatcher) handle(msg *message.Message) ([]*message.Message, error) {
	env, err := EnvelopeOf(msg)
	if err != nil {
		return nil, sourceflow.Permanent(fmt.Errorf("destination %q: message %s: %w", d.destination, sourceflow.IDText(msg.UUID), err))
	}
	if env.Replay && replayScopeOf(msg.Context()) == nil {
		// Replay never publishes: a delivered message that claims to be
		// replayed would have its handlers' sends skipped as replayed ones.
		return nil, sourceflow.Permanent(fmt.Errorf("%w: destination %q: message %s: %s is set on a message the transport delivered, not a replay",
			ErrEnvelope, d.destination, sourceflow.IDText(env.MessageID), sourceflow.MetaReplay))
	}
	info, ok := d.registry.ofName(env.Type)
	if !ok || len(d.handlers[info.name]) == 0 {
		return nil, d.unhandled(msg, env)
	}
	sentAs := env.Type
	env.Type = info.name // an alias's message is the type's
	if d.kind == sourceflow.KindCommand && env.EntityID == "" {
		return nil, sourceflow.Permanent(fmt.Errorf("%w: command %q (message %s)", ErrEmptyEntityID, env.Type, quotedID(env.MessageID)))
	}
	payload, err := info.shape.upcast(info.name, sentAs, env.PayloadVersion, msg.Payload)
	if err != nil {
		return nil, undecrypted(msg, sourceflow.Permanent(fmt.Errorf("destination %q: message %s: %w", d.destination, quotedID(env.MessageID), err)))
	}
	env.PayloadVersion = max(env.PayloadVersion, info.shape.version)
	return nil, undecrypted(msg, d.runAll(msg.Context(), d.handlers[info.name], env, payload))
}

// runAll runs a type's handlers in registration order. When one of several
// fails, the ones that succeeded are remembered and skipped on redelivery
// (not during a replay, which stops at its first error). A handler whose
// store joins the handling's transaction is not remembered: the rollback
// undoes what it wrote, so the redelivery runs it again.
func (d *dispatcher) runAll(ctx context.Context, handlers []boundHandler, env Envelope, payload []byte) error {
	track := len(handlers) > 1 && replayScopeOf(ctx) == nil
	done := make([]bool, len(handlers))
	if track {
		done = d.progress.completed(env.MessageID, len(handlers))
	}
	for i, h := range handlers {
		if done[i] {
			continue
		}
		d.outsideTx.check(ctx, h)
		if err := runSafely(ctx, h, env, payload); err != nil {
			if track {
				d.progress.remember(env.MessageID, done)
			}
			return wrapHandlerErr(h, env, err)
		}
		done[i] = h.inTx == nil || !h.inTx(ctx)
	}
	if track {
		d.progress.forget(env.MessageID)
	}
	return nil
}

func wrapHandlerErr(h boundHandler, env Envelope, err error) error {
	return fmt.Errorf("handler %q, %s %s: %w", h.name, env.Type, quotedID(env.MessageID), err)
}

// consume is handle as a Watermill consumer handler.
func (d *dispatcher) consume(msg *message.Message) error {
	_, err := d.handle(msg)
	return err
}

// runSafely runs h with the incoming envelope in its context and turns a
// panic into a *sourceflow.PanicError.
func runSafely(ctx context.Context, h boundHandler, env Envelope, payload []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &sourceflow.PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return h.run(withIncoming(ctx, env, h.qualified), env, payload)
}

// decode decodes payload into a new T and, when validates (T has a
// Validate method, see hasValidate), validates it (validateMessage); a
// failure is permanent. Its text
// names the type, not the message: the handler's error that wraps it
// (wrapHandlerErr) names the message once.
func decode[T any](codec Codec, env Envelope, payload []byte, validates bool) (T, error) {
	var v T
	if err := codec.Unmarshal(payload, &v); err != nil {
		return v, sourceflow.Permanent(fmt.Errorf("%w: %s into %v: %w", ErrDecode, env.Type, reflect.TypeOf(v), decodeError{err}))
	}
	if validates {
		if err := validateMessage(env.Type, &v); err != nil {
			return v, sourceflow.Permanent(err)
		}
	}
	return v, nil
}

// markFailure records a failure's reason on the nacked message, where the
// transport finds it, beside where it happened, o (failedOrigin.mark): a
// permanent failure under sourceflow.MetaFailure (a transport that can
// dead-letter at once does), any other under
// sourceflow.MetaLastError (the reason when the transport dead-letters the
// message on its last allowed receive), with the delay a
// sourceflow.RetryAfter in it hints under sourceflow.MetaRetryAfter (when
// the transport delivers the message again), and one that found the
// service's own store unavailable under sourceflow.MetaStoreUnavailable
// (the transport's redelivery does not count it). A hint the message
// carried before (its sender's, an earlier failure's) is dropped: only this
// failure's times the next delivery. The message's context says so to
// the middleware inside (sourceflow.ContextMarkingFailures), so the tracing
// middleware tells which failure dead-letters the message.
func (o failedOrigin) markFailure(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		msg.SetContext(sourceflow.ContextMarkingFailures(msg.Context()))
		out, err := h(msg)
		if err == nil {
			return out, nil
		}
		delete(msg.Metadata, sourceflow.MetaRetryAfter)
		delete(msg.Metadata, sourceflow.MetaStoreUnavailable)
		reason := failureText(err)
		key := sourceflow.MetaLastError
		if sourceflow.IsPermanent(err) {
			key = sourceflow.MetaFailure
		} else {
			markRetry(msg, err)
		}
		msg.Metadata.Set(key, reason)
		o.mark(msg)
		if errors.Is(err, sourceflow.ErrInProgress) {
			msg.Metadata.Set(sourceflow.MetaInProgress, "true")
		}
		return out, err
	}
}

// markRetry records on msg, whose handler failed with err (not
// permanent), what times its next delivery and whether it counts: the
// delay a sourceflow.RetryAfter in err hints, and whether err found the
// service's own store unavailable (sourceflow.ErrStoreUnavailable).
func markRetry(msg *message.Message, err error) {
	if d, ok := sourceflow.RetryAfterOf(err); ok {
		msg.Metadata.Set(sourceflow.MetaRetryAfter, d.String())
	}
	if sourceflow.IsStoreUnavailable(err) {
		msg.Metadata.Set(sourceflow.MetaStoreUnavailable, "true")
	}
}
