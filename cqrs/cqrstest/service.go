package cqrstest

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// Harness is an in-process service under test with its transport.
type Harness struct {
	// Service is the service; register types and handlers, then Start.
	Service *cqrs.Service
	// Transport is the in-process transport; its DeadLetters show what the
	// service gave up on. It is nil when cfg.Transport was set to a
	// transport other than a *cqrs.ChannelTransport.
	Transport *cqrs.ChannelTransport
	t         testing.TB
	transport cqrs.Transport // the service's, whichever it is
	codec     cqrs.Codec     // the service's
	track     *tracker
}

// testRedeliveryDelay caps the pause a handler's error hints on the
// harness's own transport, so a test of a handler failing with
// sourceflow.RetryAfter (or ErrNewerState) sees its dead letter at once.
const testRedeliveryDelay = 10 * time.Millisecond

// New returns a harness whose service uses cfg with a fresh ChannelTransport
// (unless cfg.Transport is set), which is closed when the test ends; that
// transport redelivers a failed message after 10ms whatever delay the
// handler's error hints (ChannelConfig.MaxRedeliveryDelay). The
// service is closed when the test ends once Start has started it; a
// transport set in cfg is the caller's to close. Unless cfg.Logger is set,
// the service and its fresh transport log their errors (a handler's
// failure, a dead letter) to the test's log (t.Log) and drop the rest. New
// puts the harness's own publisher decorator and handler middleware first
// (outermost) in cfg's pipelines: they follow what the service publishes
// and handles for WaitIdle and keep what it sends to a stubbed destination
// (Stub).
func New(t testing.TB, cfg cqrs.ServiceConfig) *Harness {
	t.Helper()
	h := &Harness{t: t, track: newTracker(cfg.Listen), codec: cfg.Codec}
	if cfg.Logger == nil {
		cfg.Logger = testLogger{out: newTestLog(t)}
	}
	if cfg.Transport == nil {
		cfg.Transport = h.ownTransport(cfg.Logger)
	} else if tr, ok := cfg.Transport.(*cqrs.ChannelTransport); ok {
		h.Transport = tr
	}
	h.transport = cfg.Transport
	h.followDeadLetters() // dead letters kept before the harness end none of its messages
	if h.codec == nil {
		h.codec = cqrs.JSONCodec{}
	}
	cfg.PublisherDecorators = append([]message.PublisherDecorator{h.track.decorate}, cfg.PublisherDecorators...)
	cfg.HandlerMiddleware = append([]message.HandlerMiddleware{h.track.middleware}, cfg.HandlerMiddleware...)
	svc, err := cqrs.NewService(cfg)
	if err != nil {
		t.Fatalf("cqrstest: service: %v", err)
	}
	h.Service = svc
	return h
}

// ownTransport returns the harness's own ChannelTransport, closed when the
// test ends.
func (h *Harness) ownTransport(logger watermill.LoggerAdapter) *cqrs.ChannelTransport {
	h.t.Helper()
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{MaxRedeliveryDelay: testRedeliveryDelay, Logger: logger})
	if err != nil {
		h.t.Fatalf("cqrstest: transport: %v", err)
	}
	h.Transport = tr
	h.t.Cleanup(func() { _ = tr.Close() })
	return tr
}

// Start starts the service and closes it when the test ends; a wiring error
// fails the test.
func (h *Harness) Start() {
	h.t.Helper()
	if err := h.Service.Start(context.Background()); err != nil {
		h.t.Fatalf("cqrstest: start %s: %v", h.Service.Name(), err)
	}
	h.t.Cleanup(func() {
		if err := h.Service.Close(); err != nil {
			h.t.Errorf("cqrstest: close %s: %v", h.Service.Name(), err)
		}
	})
}

// Must fails the test when err is not nil; it keeps registrations short.
func (h *Harness) Must(err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatalf("cqrstest: %v", err)
	}
}
