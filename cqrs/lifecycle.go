package cqrs

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"weak"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// Start checks the wiring, binds the transport, builds the decorated
// publishers and starts a Watermill router with one handler per listened
// destination. It returns once the router is running. ctx bounds the start:
// binding (which may provision AWS resources) and, on the service's own
// router, subscribing; a Start whose ctx ends first returns its cause and
// may be retried. (Subscribing ends with ctx when the transport's subscribes
// end with their context, as this module's do: PubSubTransport gives up on
// an inner Subscribe that does not answer. In a shared ServiceConfig.Router
// the handlers subscribe in the router's RunHandlers, which ctx does not
// bound.) A send while the service starts waits for the Start to end. Close
// stops the service; a Close during a Start ends that Start's context (its
// cause wraps ErrNotStarted), so the Start returns and the close goes on.
//
// A Start that fails once it subscribed closes its subscribers, so that a
// retried Start can subscribe again, and waits for those closes until ctx
// ends. The closes still under way then go on after it returned (an awsbus
// subscriber lets the long poll under way end, before its ShutdownTimeout,
// and releases what the poll returns at once), a failure of theirs is
// logged, and a Start retried meanwhile (up to its ctx, failing then with
// an error that says what it waited for) and Close wait for them.
//
// Once the transport is bound, Start logs a warning (at slog's Warn on the
// default Logger, through the Warn(msg, fields) method of a Logger that has
// one, at Info on another) when the service keeps state in
// memory stores (ServiceConfig's defaults) while its transport carries
// messages between processes: any transport but a ChannelTransport, a
// PubSubTransport over gochannel or a HybridTransport of those. It names
// the memory stores the service uses (the CommandStore when it routes a
// command, the EntityStore when it has a saga, the ViewStore when it has a
// view) and the remedy: sqlbackend's or dynamobackend's Backend.NewService.
// It does not refuse: a service that keeps no state may run on them.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return fmt.Errorf("%w: the service is closed; build a new Service", ErrStarted)
	}
	if s.started {
		return ErrStarted
	}
	ctx, end := s.beginStart(ctx)
	defer end()
	if err := s.checkWiring(); err != nil {
		return s.startFailed(err)
	}
	if !s.bound { // a Start that failed after binding is retried without binding again
		b := s.binding()
		if err := s.cfg.Transport.Bind(ctx, b); err != nil {
			return wrap(err, "cqrs: bind transport of %q", s.cfg.Name)
		}
		s.bound = true
		s.warnMemoryState(b)
	}
	pubs, err := s.buildPublishers()
	if err != nil {
		return s.startFailed(err)
	}
	if err := s.awaitFailedSubs(ctx); err != nil {
		return s.startFailed(err)
	}
	if ctx.Err() != nil {
		return s.startFailed(context.Cause(ctx))
	}
	if s.cfg.Router != nil {
		return s.startIn(s.cfg.Router, pubs)
	}
	router, _, subs, err := s.buildRouter()
	if err != nil {
		return errors.Join(s.startFailed(err), closeAll(subs))
	}
	if err := s.run(ctx, router, subs, pubs); err != nil {
		// A handler waiting to send is refused before closeWithin waits for
		// it, and the subscribers are closed so a retried Start can subscribe
		// again.
		end()
		return errors.Join(err, s.closeWithin(ctx, subs))
	}
	s.subs = subs // the router closes them without waiting; Close waits for them
	return nil
}

// startFailed names the service in an error of its Start that does not,
// saying "cqrs:" once (see wrap).
func (s *Service) startFailed(err error) error {
	return wrap(err, "cqrs: start %q", s.cfg.Name)
}

// routerLocks serialises the Starts of the services sharing a router, from
// adding their handlers to running them. (A handler that a RunHandlers
// starts before its middleware is added waits for it: see retirable.wired.)
var routerLocks keyedMutex[*message.Router]

// routerNames holds, per shared router, the handler names services gave
// it (a map[string]bool, read and written under routerLocks), for the
// router's whole life: Watermill keeps a stopped handler's middleware by
// name, and its Router.Handlers reads the handler map without the lock
// under which a stopping handler deletes itself. It is keyed by a weak
// pointer and its entry is deleted once the router is collected, so a
// router the program dropped is not kept alive by it.
var routerNames sync.Map

// claimHandlerNames records the handler names of service in router, or
// fails when a service already had one of them. Before the first handler a
// service adds to router, it adds the one that keeps the router open until
// its owner closes it (see keepRouterOpen).
func claimHandlerNames(router *message.Router, service string, listen []string) error {
	key := weak.Make(router)
	names, loaded := routerNames.LoadOrStore(key, map[string]bool{})
	if !loaded {
		runtime.AddCleanup(router, func(k weak.Pointer[message.Router]) { routerNames.Delete(k) }, key)
	}
	taken := names.(map[string]bool)
	for _, dest := range listen {
		if taken[service+"/"+dest] {
			return fmt.Errorf("cqrs: the router already has a handler %q: service names must be unique per router", service+"/"+dest)
		}
	}
	for _, dest := range listen {
		taken[service+"/"+dest] = true
	}
	if len(listen) > 0 && !taken[routerKeeperName] {
		keepRouterOpen(router)
		taken[routerKeeperName] = true
	}
	return nil
}

// startIn adds the service's handlers to the caller's router and, when the
// router already runs, starts them; otherwise they start when the caller
// runs it. The handlers are added once: a Start that fails later leaves them
// in the router and a retried Start only starts them.
func (s *Service) startIn(router *message.Router, pubs map[string]message.Publisher) error {
	defer routerLocks.lock(router)()
	if s.handlers == nil {
		_, handlers, subs, err := s.buildRouter()
		if err != nil {
			return errors.Join(s.startFailed(err), closeAll(subs))
		}
		s.handlers, s.subs = handlers, subs
	}
	if router.IsRunning() {
		if err := router.RunHandlers(context.Background()); err != nil {
			return wrap(err, "cqrs: run the handlers of %q", s.cfg.Name)
		}
	}
	s.running(pubs)
	return nil
}

// run starts the router and waits until it runs, or until ctx ends: then a
// subscribe that did not answer holds the start, and run ends the router's
// context, which ends the subscribes under way, and returns once the router
// stopped subscribing (its caller then closes the subscribers), without
// waiting for the handlers it started.
func (s *Service) run(ctx context.Context, router *message.Router, subs []message.Subscriber, pubs map[string]message.Publisher) error {
	runCtx, stop := context.WithCancel(context.Background())
	done, runErr := make(chan struct{}), new(error)
	go func() {
		defer close(done)
		*runErr = router.Run(runCtx)
	}()
	select {
	case <-router.Running():
	case <-done:
		stop()
		retire(router, subs)
		return wrap(*runErr, "cqrs: router of %q stopped at start", s.cfg.Name)
	case <-ctx.Done():
		select {
		case <-router.Running():
		default:
			stop()
			select { // the router subscribes no more: it failed, or ran
			case <-done:
				retire(router, subs)
			case <-router.Running():
			}
			return wrap(context.Cause(ctx),
				"cqrs: router of %q was not running when the start's context ended (a subscribe did not answer)", s.cfg.Name)
		}
	}
	s.router, s.stopRouter, s.runDone, s.runErr = router, stop, done, runErr
	s.running(pubs)
	return nil
}

// beginStart marks a Start in progress, whose end a send waits for (see
// accepts), and returns the Start's context, which a Close ends (see
// shutDown), and that end, which may be called again. The caller holds mu.
func (s *Service) beginStart(ctx context.Context) (context.Context, func()) {
	starting := make(chan struct{})
	ctx, cancel := context.WithCancelCause(ctx)
	s.sendMu.Lock()
	s.starting, s.cancelStart = starting, cancel
	if s.closeCalled {
		cancel(errClosedDuringStart)
	}
	s.sendMu.Unlock()
	return ctx, sync.OnceFunc(func() {
		s.sendMu.Lock()
		s.starting, s.cancelStart = nil, nil
		s.sendMu.Unlock()
		close(starting)
	})
}

// errClosedDuringStart is the cause of a Start that a Close ended.
var errClosedDuringStart = fmt.Errorf("%w: Close was called during the start", ErrNotStarted)

// endStart marks Close called and ends the context of a Start in progress,
// which holds mu until it returns.
func (s *Service) endStart() {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	s.closeCalled = true
	if s.cancelStart != nil {
		s.cancelStart(errClosedDuringStart)
	}
}

// running marks the service started with its publishers; the caller holds
// mu.
func (s *Service) running(pubs map[string]message.Publisher) {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	s.pubs, s.started = pubs, true
}

// buildPublishers returns, per registered destination, the transport's
// publisher wrapped in the service pipeline and the kind's dispatch hooks.
func (s *Service) buildPublishers() (map[string]message.Publisher, error) {
	pubs := map[string]message.Publisher{}
	for _, dest := range s.types.destinations() {
		pub, err := s.cfg.Transport.Publisher(dest)
		if err != nil {
			return nil, wrap(err, "publisher for %q", dest)
		}
		if pub, err = decorate(pub, s.cfg.PublisherDecorators); err != nil {
			return nil, wrap(err, "decorate publisher for %q", dest)
		}
		hooks := s.cfg.Hooks.EventDispatch
		if kind, _ := s.types.kindOf(dest); kind == sourceflow.KindCommand {
			hooks = s.cfg.Hooks.CommandDispatch
		}
		if pub, err = decorate(pub, hooks); err != nil {
			return nil, wrap(err, "dispatch hooks for %q", dest)
		}
		pubs[dest] = pub
	}
	return pubs, nil
}

// buildRouter returns the router (the service's own, or ServiceConfig.Router)
// with one handler per listened destination, the handlers, and the
// subscribers it created. Every subscriber is created before any handler is
// added, so a failure leaves nothing in the router. The service's pipeline
// is added per handler, so a shared router's other handlers do not run it.
func (s *Service) buildRouter() (*message.Router, []*message.Handler, []message.Subscriber, error) {
	router := s.cfg.Router
	if router == nil {
		var err error
		if router, err = message.NewRouter(message.RouterConfig{CloseTimeout: s.cfg.CloseTimeout}, s.cfg.Logger); err != nil {
			return nil, nil, nil, err
		}
	}
	var subs []message.Subscriber
	for _, dest := range s.cfg.Listen {
		sub, err := s.cfg.Transport.Subscriber(dest)
		if err != nil {
			return nil, nil, subs, wrap(err, "subscriber for %q", dest)
		}
		subs = append(subs, newRetirable(sub))
	}
	if s.cfg.Router != nil { // startIn holds the router's lock
		if err := claimHandlerNames(router, s.cfg.Name, s.cfg.Listen); err != nil {
			return nil, nil, subs, err
		}
	}
	handlers := make([]*message.Handler, len(subs))
	for i, dest := range s.cfg.Listen {
		d := s.dispatchers[dest]
		h := router.AddConsumerHandler(s.cfg.Name+"/"+dest, dest, subs[i], d.consume)
		h.AddMiddleware(subs[i].(*retirable).markRunning, s.origin.markFailure)
		h.AddMiddleware(s.cfg.HandlerMiddleware...)
		h.AddMiddleware(s.subscribeHooks(d)...)
		h.AddMiddleware(markHandlerRun)
		subs[i].(*retirable).wire()
		handlers[i] = h
	}
	return router, handlers, subs, nil
}

// closeWithin closes subs, a failed Start's, as closeAll does, waiting for
// that only until ctx, the Start's, ends: the closes still under way then
// go on after the Start returned (a failure of theirs is logged), and the
// next Start, before it subscribes, and Close wait for them (see
// awaitFailedSubs). The caller holds mu.
func (s *Service) closeWithin(ctx context.Context, subs []message.Subscriber) error {
	closed := make(chan error, 1)
	go func() { closed <- closeAll(subs) }()
	select {
	case err := <-closed:
		return err
	case <-ctx.Done():
	}
	done := make(chan struct{})
	s.failedSubs = done
	go func() {
		defer close(done)
		if err := <-closed; err != nil {
			s.cfg.Logger.Error("Closing the subscribers of a failed start failed", err, watermill.LogFields{"service": s.cfg.Name})
		}
	}()
	return nil
}

// awaitFailedSubs waits until the subscribers of a failed Start closed, or
// until ctx ends, whose cause it returns then, saying what it waited for.
// A subscriber still open could hold a destination a new one subscribes to
// (ChannelTransport's). The caller holds mu.
func (s *Service) awaitFailedSubs(ctx context.Context) error {
	if s.failedSubs == nil {
		return nil
	}
	select {
	case <-s.failedSubs:
		s.failedSubs = nil
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for the subscribers of an earlier failed start to close: %w", context.Cause(ctx))
	}
}

func closeAll(subs []message.Subscriber) error {
	var errs []error
	for _, sub := range subs {
		errs = append(errs, sub.Close())
	}
	return errors.Join(errs...)
}

func (s *Service) subscribeHooks(d *dispatcher) []message.HandlerMiddleware {
	if d.kind == sourceflow.KindCommand {
		return s.cfg.Hooks.CommandSubscribe
	}
	return s.cfg.Hooks.EventSubscribe
}

// Close stops the router, waiting up to CloseTimeout for in-flight handlers,
// and closes the transport if the service created it. A handler run under
// way keeps its context for that drain; a message waiting between runs of
// its handler (a retrying middleware's pause after a failed run) has its
// context ended at once on ChannelTransport and PubSubTransport, so the
// wait ends and the handler does not run again there. From the start of
// Close, sends from outside a handler fail with ErrNotStarted; handlers
// still draining may send until the router has stopped.
//
// Close is idempotent and safe for concurrent use: the service closes once,
// and every call, concurrent or later, returns when that close has ended,
// with its result. A closed service does not start again, whether or not it
// had started: Start then fails with ErrStarted.
//
// The service's subscriptions close with it, so what a draining handler
// publishes to one of its own destinations meets no subscriber here: a
// persistent transport keeps it for the next start or another instance,
// while the in-process ChannelTransport, which keeps nothing, dead-letters
// an event, and refuses a command (ErrNoListener) or dead-letters it.
//
// Close waits for the service's handlers in flight, so do not call Close
// from a handler; start it in a goroutine. A handler that calls its own
// service's Close waits for that close, which waits for the handler until
// it times out (ServiceConfig.CloseTimeout, or the transport's
// CloseTimeout when larger) and then fails.
func (s *Service) Close() error { return s.closeOnce() }

// shutDown is the one run of Close.
func (s *Service) shutDown() error {
	s.endStart()
	s.mu.Lock()
	router, stop, done, failedSubs := s.router, s.stopRouter, s.runDone, s.failedSubs
	s.router = nil
	s.sendMu.Lock()
	s.closing = true // new sends are refused; in-flight handlers may still send
	s.sendMu.Unlock()
	s.mu.Unlock()
	var errs []error
	if router != nil {
		errs = append(errs, s.closeRouter(router))
		<-done
		stop()
		errs = append(errs, *s.runErr)
		s.mu.Lock()
		subs := s.subs
		s.subs = nil
		s.mu.Unlock()
		errs = append(errs, closeAll(subs)) // waits for the closes the router began
	}
	if failedSubs != nil {
		<-failedSubs // a failed Start's subscribers close (see closeWithin)
	}
	errs = append(errs, s.stopHandlers())
	s.mu.Lock()
	s.sendMu.Lock()
	s.pubs = nil // the drain is over: nothing sends any more
	s.sendMu.Unlock()
	s.mu.Unlock()
	if s.ownsTransp {
		errs = append(errs, s.cfg.Transport.Close())
	}
	return errors.Join(errs...)
}

// closeRouter closes the service's own router, which waits for its
// handlers, and for their subscriptions to end (a transport settles the
// messages handled before it ends one), up to ServiceConfig.CloseTimeout;
// its error, which names neither, is wrapped naming the service and the
// timeout, and the transport's longer one that closing the subscriptions
// waits then.
func (s *Service) closeRouter(router *message.Router) error {
	if err := router.Close(); err != nil {
		return fmt.Errorf("cqrs: service %q: close: %w: handlers, or their subscriptions settling their messages, still running after ServiceConfig.CloseTimeout %s%s",
			s.cfg.Name, err, s.cfg.CloseTimeout, transportCloseWait(s.cfg.Transport, s.cfg.CloseTimeout))
	}
	return nil
}

// Run starts the service, blocks until ctx is done, then closes it.
func (s *Service) Run(ctx context.Context) error {
	if err := s.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	return s.Close()
}

// stopHandlers stops the service's handlers in ServiceConfig.Router, waits
// up to CloseTimeout for them to finish and closes their subscribers
// (Handler.Stop leaves a subscriber open; only the router's Close closes
// them). A handler the caller's router has not run yet cannot be removed
// from it: its subscriber is retired and closed, so that, run later, the
// handler ends at once instead of handling for a closed service. A handler
// the router reports started is stopped once its goroutine runs
// (retirable.running): Watermill sets its stop function and stopped
// channel only after it reports it started.
func (s *Service) stopHandlers() error {
	s.mu.Lock()
	handlers, subs := s.handlers, s.subs
	s.handlers, s.subs = nil, nil
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.CloseTimeout)
	defer cancel()
	var running []*message.Handler
	var stopped, unstarted []message.Subscriber
	for i, h := range handlers {
		r := subs[i].(*retirable)
		if r.startedIn(ctx, h) {
			h.Stop()
			running, stopped = append(running, h), append(stopped, subs[i])
			continue
		}
		r.retire()
		unstarted = append(unstarted, subs[i])
	}
	errs := []error{closeAll(unstarted)}
	for _, h := range running {
		select {
		case <-h.Stopped():
		case <-ctx.Done():
			errs = append(errs, fmt.Errorf("cqrs: handlers of %q still running after %s", s.cfg.Name, s.cfg.CloseTimeout))
			return errors.Join(append(errs, closeAll(stopped))...)
		}
	}
	return errors.Join(append(errs, closeAll(stopped))...)
}
