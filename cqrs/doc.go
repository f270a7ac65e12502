// Package cqrs is SourceFlow's programming model on Watermill routers.
//
// Aggregates send commands for entities; sagas handle commands, keep entity
// state in an EntityStore and raise events; views project events into view
// models kept in a ViewStore; aggregates react to events and may send new
// commands. Every command and event is one Watermill message: the body is
// the payload encoded by a Codec (JSON by default) and the metadata is the
// Envelope (logical type name, message id, entity id, per-entity sequence
// number, correlation and causation ids, occurred-at, replay flag, hop
// count, payload version).
//
// Wiring a Service:
//
//	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Listen: []string{"orders", "order-events"}})
//	if err != nil {
//		return err
//	}
//	err = errors.Join(
//		cqrs.RegisterCommand[CreateOrder](svc, "orders.CreateOrder", "orders"),
//		cqrs.RegisterEvent[OrderCreated](svc, "orders.OrderCreated", "order-events"),
//		cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), createOrder),
//		cqrs.Project(cqrs.NewView[OrderSummary](svc, "order-summary"), projectCreated),
//	)
//	if err != nil {
//		return err
//	}
//	if err := svc.Start(ctx); err != nil {
//		return err
//	}
//	defer svc.Close()
//	if _, err := cqrs.NewAggregate(svc, "order").Send(ctx, "order-1", CreateOrder{Amount: 5}); err != nil {
//		return err
//	}
//
// Decisions:
//
//   - Types are registered explicitly under stable logical names, never
//     derived from Go type names; a duplicate is an error at wiring time.
//     A renamed type keeps its older names as aliases (Aliases), which
//     messages, stored commands and remembered events of those names
//     resolve to. A type's payload shape has a version (PayloadVersion)
//     stamped on what it sends, and upcasters (Upcast, UpcastAlias) turn
//     older payloads into its shape wherever one is decoded for a handler.
//   - Every message counts its hops, the handlers that led to it
//     (Envelope.Hops); a handler's send past ServiceConfig.MaxHops fails
//     permanently (ErrHopLimit), so a causation loop ends in a dead letter
//     rather than running for ever, on the synchronous ChannelTransport
//     (the default) too, where the send closing the loop is handed over
//     rather than waited for (see ChannelConfig.Async).
//   - Every type routes to one named destination, and one destination may
//     carry several types of one kind. A listened destination has a single
//     router handler that dispatches by type; a type without a handler there
//     is an error, retried until its last delivery and then dead-lettered,
//     never a silent acknowledgement, unless it is an event no version of
//     the service handles: an SNS filter policy keeps such an event out of
//     an awsbus queue, and ChannelTransport, and PubSubTransport with a
//     TypeFilter (sqlbus), drop it, its type being outside the consumer
//     group's event type filter.
//   - Routing is exclusive: a service handles only what arrives on the
//     destinations it listens to, so a command routed to another service is
//     never also handled by its sender.
//   - The CommandBus reserves each command's sequence number from the
//     CommandStore in O(1) (NextSequence), appends the command, then
//     publishes it; with a store that is a sourceflow.Transactor, reserving
//     and appending are one transaction. A command sent again by a
//     redelivered handler (same derived id) is found in the store and
//     re-published with the sequence it was stored with, so an entity's
//     stream stays 1..N without gaps or repeats across instances (a
//     MemoryCommandStore, bounded, finds only the commands it still keeps:
//     one sent again after its eviction takes a new number). Events
//     carry the sequence of the command that raised them.
//   - State is shared by many instances through versioned documents
//     (DocumentStore): a saga or view loads the document and its version,
//     applies the message and saves on the condition that the version is
//     unchanged. When another instance saved first (ErrConflict), the
//     handler runs again on the newer state, with its derived send ids
//     rewound: at most 8 runs in all, the first and up to 7 re-runs; when
//     the 8th save conflicts too, the message fails with ErrConflict and
//     the transport redelivers it. Optimistic concurrency
//     was chosen over a row lock held across the handler because it works
//     the same on PostgreSQL, MySQL, SQLite and DynamoDB (conditional
//     writes) and holds no lock while a handler runs; the in-process
//     per-entity lock stays in front of it, so conflicts arise between
//     instances (and, in a handling transaction, between two messages of
//     one entity on one instance, since the lock is released at the save,
//     before the commit). A stored document that no longer decodes is a permanent
//     failure (dead-lettered with the reason), never a panic.
//   - A saga's state and a view's model are stamped, when saved, with the
//     version its saga or view declares (StateVersion; 0, no stamp, by
//     default). In a rolling deploy an instance of an older version refuses
//     to apply a message to, or replay over, a document of a newer version,
//     which it would save without the fields it does not know: the
//     handling fails retryably with ErrNewerState (the message is
//     dead-lettered with that reason after its last delivery) and the
//     document stays as stored. Only releases that have the guard honour
//     it: a release without it reads a stamped document as corrupt.
//   - A saga stores the new state together with the events the command
//     raised (it remembers its last 32 commands per entity), then publishes
//     them with message ids derived from the command's. A failure to publish
//     is returned (the command is redelivered); the redelivered command
//     re-raises the stored events instead of running its handler twice.
//   - Every message a handler sends or raises gets an id derived from the
//     handled message, the service, the handler, the order of its sends and
//     the message itself (type, entity, encoded payload), so a redelivery
//     that makes the same sends repeats the same ids and consumers'
//     idempotency drops them, while a run that decides differently (it saw
//     newer state after a conflict or on a redelivery) sends new ids, and its
//     new messages are stored and delivered. Messages are published before
//     the handler's state is saved: a command sent by a run whose save then
//     conflicted has already gone out, and the re-run's messages follow it.
//     An OutboxTransport (package outbox) withholds them: with one, and
//     stores that are sourceflow.Transactors, a saga's load-apply-save and
//     the events it raises, and a command's record and send, run in one
//     transaction, so messages leave only for changes that committed.
//   - When one of several handlers of a type fails, the ones that succeeded
//     are remembered in memory and skipped on redelivery to this instance;
//     across instances they run again (their sends repeat the same ids; a
//     view projects the event again, see View). A handler whose store joins
//     the handling's transaction (a saga's EntityStore, a view's ViewStore,
//     a reaction's CommandStore) is not remembered: the rollback undid its
//     writes, so it runs again.
//   - Replay re-runs an entity's stored commands through local handlers only,
//     each to the destination its type is routed to now, rebuilding the
//     entity's saga state and view models from empty (a handler reading
//     another entity's reads the stores); it never publishes.
//     It writes back the entity's saga state, but a view model only when the
//     replay can have rebuilt it entirely: its id is the entity's and the
//     replay raised every event type its view projects. A view model may
//     hold events the replay cannot reproduce (raised by another service,
//     outside handlers, or about other entities), so any other one it
//     touched keeps its stored model and is listed in ReplayReport.ViewsKept
//     (a rule by event type, stated in full on Service.Replay). It stores
//     them in one transaction when the stores share a database, under no
//     entity lock (a live handling may hold the database while it waits
//     for one), each save conditional on the version it loaded. It refuses
//     an entity with a stored command of a type no longer registered
//     (ErrUnknownType) unless RetireType declares it skipped.
//   - Errors no retry can cure (malformed envelope, among them a replay flag
//     on a message a transport delivered, payload that does not decode,
//     does not upcast (Upcast) or fails its type's Validate method; a
//     handler's own mistake: an event or command it returns, raises or
//     sends that is nil, not registered, of the other kind, not
//     encodable or invalid (ErrInvalidMessage), a command without an
//     entity id, or a send past the hop limit (ErrHopLimit)) are marked
//     sourceflow.Permanent and recorded on
//     the nacked message under sourceflow.MetaFailure, so transports
//     dead-letter them at once. Beside any failure's reason the service
//     records where it happened, the host (os.Hostname, read once by
//     NewService) and ServiceConfig.Version (by default the main
//     module's build version), as sourceflow.MetaFailedHost and
//     sourceflow.MetaFailedVersion; ChannelTransport, PubSubTransport
//     and awsbus carry them into the dead letter the failure causes,
//     so the failures of an old and a new version tell apart after a
//     deploy. A handler that succeeds pays nothing for them. A message of a type no handler of its
//     destination takes (ErrUnknownType) is retried until its last
//     delivery first, since during a rolling deploy a newer instance may
//     take it (an event whose type no version of the service handles,
//     outside its consumer group's event type filter, is dropped instead:
//     see TypeFilterStore); the README's "Evolving messages and state" says what else
//     a change of a message's or a state's shape does. A panicking handler
//     becomes a *sourceflow.PanicError.
//   - The Transport interface uses only Watermill and root-package types.
//     ChannelTransport, built on Watermill's gochannel, is the default; it
//     adds bounded redelivery, a bounded dead-letter list, an error for a
//     command nobody listens to and a refusal of a second listener of a
//     command destination. By default its Publish returns when the message
//     was handled (or, with an error saying it was handed over, when the
//     sender's context ended first: its handling goes on), so Send returns
//     when the in-process flow it starts is done (except follow-ups whose
//     wait would come back to the handler sending them, to its own
//     destination or one whose delivery waits on it, as in a causation loop
//     or two flows crossing at once, which are queued in order and handed
//     over without waiting, also when the loop passes through several
//     synchronous ChannelTransports, such as the command and event
//     transports of a HybridTransport); a handler's error is not returned to the
//     sender: the transport redelivers the message, then dead-letters it
//     (DeadLetters; a permanent failure at once). A handler must send with
//     its own context (or one derived from it): a send with
//     context.Background() waits for good when its message's handling
//     needs a lock the sending handler holds, and a synchronous publish
//     that has waited 30s logs a warning through ChannelConfig.Logger.
//     Inside a transaction the stores join, or a handling transaction
//     (transactional idempotency) they stay out of, the wait for the
//     handling could deadlock on the transaction's locks (on SQLite, the
//     one writer), so a synchronous ChannelTransport refuses such a
//     publish (ErrPublishInTransaction); set ChannelConfig.Async there.
//     An asynchronous ChannelTransport still delivers what is published
//     to a ".fifo" destination one message at a time, in publish order
//     (queued, so Publish does not wait), and other destinations'
//     messages concurrently.
//   - PubSubTransport carries a service over any Watermill Pub/Sub
//     (watermill-sql, watermill-aws, ...): a destination is a topic, a
//     service listens through a consumer group named after it, and it adds
//     the same bounded in-process redelivery, then publishes the message
//     with its reason to the destination's dead-letter topic (a message
//     whose dead letter cannot be published is nacked and stays on its
//     topic, and is delivered again when the Pub/Sub hands it back).
//     Whoever adapts a Pub/Sub declares its Capabilities; Bind refuses a
//     routing that needs one it lacks (per-entity order for ".fifo"
//     destinations, consumer groups to listen), naming the destination, so
//     the mismatch shows at Start rather than in production. It declares
//     its size limit too (PubSubConfig.MaxMessageBytes): a message over it
//     is refused before sending, marked sourceflow.Permanent, so an outbox
//     dead-letters its row rather than retry it for ever; a Publisher marks
//     the Pub/Sub's own refusals for good so. A dead letter over the limit
//     gives up where its handler failed, then the length of its reasons,
//     then the payload, saying so, so that it is published; one the
//     Pub/Sub still refuses for good (bytes of its own) is published once
//     more without its payload and metadata.
//   - HybridTransport puts each destination on the transport its
//     HybridConfig names, by destination or by the kind (command, event)
//     the services on it registered it with. When Commands or Events sends
//     one kind elsewhere than the other, a destination no service bound has
//     no publisher (ErrNotBound) rather than go to Default, the wrong
//     transport for one of the kinds: an outbox in front holds its messages
//     for the grace of a rolling deploy until an instance that knows it
//     relays them.
//   - Close refuses new sends at once but lets handlers still draining send
//     until the router has stopped. A message waiting between runs of its
//     handler (middleware.Retry's pause) has its context ended at once, so
//     the wait does not hold Close; it goes back to the Pub/Sub.
package cqrs
