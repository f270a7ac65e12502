// Package awsbus is the AWS transport of SourceFlow: commands travel over
// SQS queues, events over SNS topics, each subscribing service receiving a
// topic's events through an SQS queue of its own.
//
// # Routing and topology
//
// The service's sourceflow.Binding is the only source of routing: Bind
// derives the topology from it with package topology (its Plan, and Create,
// Validate or Assume as Config.Provisioning says) and resolves every
// destination to its queue URL or topic ARN. Config holds no routes; it
// holds consumer, provisioning, health and encryption settings. To carry
// some destinations elsewhere (commands in process, events on AWS), wrap the
// Transport in a cqrs.HybridTransport.
//
// A destination named by the ARN of a topic or queue of another account or
// region (topology.Foreign) is sent or published to in that region
// (topology.Endpoint.Region), with the same clients, through a per-call
// option; the service listens to another account's topic through an event
// queue of its own. Bind never creates such a resource.
//
// Bind logs its progress through Config.Logger (each AWS call at debug
// level) and bounds every AWS call it makes by Config.CallTimeout (10s by
// default), so against an endpoint that accepts connections but never
// answers it fails after one CallTimeout with an error naming the call. A
// Transport built by NewTransportFromAWS takes its region, endpoint and
// credentials from aws.Config, and checks first that credentials are found;
// with an endpoint set (an emulator such as LocalStack, through
// AWS_ENDPOINT_URL) the error names the test credentials an emulator
// accepts: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test.
//
// Each publish ends after Config.CallTimeout (10s by default) whatever
// its messages' contexts allow: a handler publishes on its message's
// context, which has no deadline, and without an outbox inside its
// handling transaction, which an endpoint that stopped answering would
// otherwise keep open until it answers again.
//
// # Throttling and outages
//
// WithRetries sets up an aws.Config so that every client built from it uses
// the SDK's standard retryer (or the adaptive one when cfg.RetryMode says
// so): exponential backoff with full jitter, at most 3 attempts unless
// AWS_MAX_ATTEMPTS says otherwise, a client-wide retry quota. It adds the
// throttling codes the SDK misses (ThrottleErrorCodes: SNS "Throttled" and
// "KMSThrottling", SQS "KmsThrottled" / "KMS.ThrottlingException"), so a
// throttled SNS publish inside a handler is retried instead of failing the
// handler. NewTransportFromAWS applies it to its SQS and SNS clients; apply
// it to the KMS client and to clients you build yourself. The encryption
// package retries throttled KMS calls again on top of the SDK, a few times,
// with its own short backoff.
//
// # Endpoints over plain HTTP
//
// A client built from a config WithRetries set up warns, once per endpoint
// and process, at slog's Warn on the default logger, when the endpoint it
// resolved for a call (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_KMS and the like,
// the shared config's endpoint_url, a client option) is plain http:// on a
// host other than this machine: requests are signed, but responses are not
// authenticated, so anyone on the path could answer in the endpoint's place
// (a KMS handing out data keys it knows). An emulator on this machine
// (localhost, a name under .localhost, 127.0.0.0/8, ::1) is not warned of.
//
// A poller whose ReceiveMessage fails (the endpoint is down, the queue's
// KMS key throttles) pauses SubscriberConfig.ReceiveErrorBackoff (100ms),
// doubling with every failure in a row up to ReceiveErrorMaxBackoff (10s),
// each pause drawn between half and all of its length; a successful receive
// starts over. An outage of 3s costs about 6 ReceiveMessage calls per
// poller (each of which the SDK's retryer tries up to 3 times). Failed deletes and visibility changes are logged and never
// retried in a loop: the message comes back after its visibility timeout.
// Only an entry of a DeleteMessageBatch call that SQS failed on its own
// side is deleted again, once, as the SDK retries a failed call.
//
// Config.Circuits adds the publish circuit breakers (middleware's
// CircuitBreaker, through the root package's CircuitSource) to the health
// report; an open circuit makes the report degraded (still served with 200).
//
// # Publishing
//
// Publisher sends commands to SQS and events to SNS, several messages of one
// Publish in batch calls of up to 10; to a FIFO queue or topic, a call
// carries at most one message of each message group, so that AWS failing
// an entry never lets a later message of its group in ahead of it.
// Single-message publishes to one destination share a call when they arrive
// while 4 calls to it are in flight. Config.PublishLinger (0 by default, at
// most MaxPublishLinger) makes an idle destination's first single-message
// publish wait that long for others, so a steady rate of concurrent
// publishes costs fewer calls for at most that much latency; Publish still
// returns only once AWS accepted the message, and Close sends what lingers
// at once.
//
// # Consuming
//
// Subscriber delivers each SQS message as one Watermill message and settles
// it by its outcome:
//
//   - Ack: the message is deleted, never before. Deletes are batched: an ack
//     waits up to DeleteBatchDelay (20ms) for up to nine others to share one
//     DeleteMessageBatch call.
//   - Nack: the message becomes visible again after NackBackoff (1s by
//     default, one ChangeMessageVisibility call), doubled for every receive
//     after the first up to MaxNackBackoff, instead of after the whole
//     visibility timeout; every redelivery counts toward the queue's
//     maxReceiveCount (Endpoint.MaxReceiveCount, from the RedrivePolicy
//     that Bind set or read; 8 by default, so a failing message is tried
//     over about two minutes, and a dependency outage that short loses
//     nothing). SQS refuses a visibility timeout ending more than 12 hours
//     after the receive, so the backoff of a message held that long is cut
//     to what remains of those 12 hours, counted from the start of the
//     ReceiveMessage call, less a 10s margin for the call itself.
//   - Nack on the last allowed receive (ApproximateReceiveCount reached
//     maxReceiveCount): the message is dead-lettered at once, as below, with
//     "awsbus: failed on its last allowed receive (N of N)" and the
//     handler's error as the reason (sourceflow.MetaLastError, which cqrs
//     records on a failed message; without it the reason says the error was
//     not recorded). The RedrivePolicy stays the fallback when the copy
//     fails or the consumer crashes.
//   - Nack with sourceflow.MetaFailure set (a permanent failure: an unknown
//     type, an undecodable payload, a failed decryption), or a message whose
//     packed sf_env attribute cannot be read or holds a key it never carries
//     (sf_type, sf_env, or a key that is also an attribute; any other key
//     becomes metadata: see UnpackAttributes, which `sourceflow dlq` reads
//     dead letters with too), or whose body is an SNS notification
//     envelope (a subscription without raw message delivery):
//     the message is copied at once to its dead-letter queue with the reason
//     in an sf_failure attribute and how often the consumer received it in
//     an sf_delivery_count attribute, and the host and the version of the
//     service whose handler failed it in sf_failed_host and
//     sf_failed_version, which cqrs records beside the reason (each inside
//     the packed sf_env envelope when the message has no attribute to
//     spare, the reason taking its place first; a count, host or version
//     the sender set is dropped) and deleted from the source, without
//     burning the retry budget. When the copy would exceed the SQS size
//     limit the count is left out first, then the host and version, and
//     then the reason is shortened. The reason is logged once, with the
//     message's id (message_id: its sf_id, which `sourceflow dlq peek` shows
//     as its message id and every line of SourceFlow names it by; else its
//     UUID, its SQS MessageId when it carries none), its SQS MessageId
//     (sqs_message_id), its type and entity (type, entity)
//     and the SQS MessageId of the copy (dlq_message_id), which `sourceflow
//     dlq peek` shows as its SQS id; the payload never. If the copy fails (or the endpoint
//     has no dead-letter queue), the message is backed off and left to the
//     redrive policy, and, as after a Nack, the messages held behind it in
//     its FIFO group are released.
//
// MaxConcurrentCalls bounds the messages one Subscribe holds at once, handed
// out or waiting: the poller asks ReceiveMessage for at most as many
// messages as there are free slots (and at most ten), so a slow handler
// slows receiving instead of letting received messages time out in memory.
//
// On a FIFO queue the messages of one message group (the entity id) are
// handed out one at a time, in order; other groups proceed in parallel. A
// message received while its group is busy is held in memory, within its
// slot, until the group's previous message is settled. When a message of a
// group is nacked or released, the messages held behind it are released too
// (made visible at once), so the group's order survives the redelivery.
// SQS counts each of those receives too: a message held behind one that
// keeps failing reaches the queue's maxReceiveCount with fewer attempts of
// its own, at worst one. Such a message stays released even on its last
// allowed receive, leaving it to the redrive policy without a reason: a
// copy of it would reach the dead-letter queue before the message it was
// held behind, out of the group's order. With FIFO queues, choose a
// topology.Options.MaxReceiveCount that covers the retries of a group's
// head as well as those of the messages received with it.
// Every ReceiveMessage call on a FIFO queue carries a
// ReceiveRequestAttemptId, which the SDK's retries of the call repeat and
// so does the poller's next call when a call got no answer, while the
// messages of a lost answer would still be invisible (VisibilityTimeout, at
// most four minutes): SQS answers that call with the same messages instead
// of keeping them, and so their groups, invisible until the timeout ends.
// With the defaults (a 20 s wait, a 30 s visibility timeout) a call cut
// short by the bound below is made again after the timeout, with a new id.
// A call after an answered one has a new id.
//
// Each ReceiveMessage call is bounded by its long-poll wait plus 30 s: a
// call on a connection that died silently is cut short and made again
// (logged, with the receive backoff), instead of stopping the subscription
// until the operating system declares the connection dead. The bound
// covers the answer's transfer too: on a link too slow to carry ten
// messages of the queue's largest size in 30 s, every call would be cut;
// lower MaxConcurrentCalls there.
//
// A visibility heartbeat renews the visibility timeout of every owned
// message once half of it has passed, ten messages per
// ChangeMessageVisibilityBatch call, so a handler may run longer than
// VisibilityTimeout without the message being delivered twice. The calls
// of one renewal run at once, so a call SQS does not answer delays only
// its own ten messages; a renewal that fails is tried again a quarter of
// the timeout later. A renewal with less than VisibilityTimeout left
// before the SQS limit of 12 hours after receipt (counted, as for a Nack,
// from the start of the ReceiveMessage call, less 10s) renews to that
// limit, so the message stays invisible as long as SQS allows; renewal
// stops there, once the message's settling begins (its handler returned,
// or it is released) and at the shutdown deadline (see Shutdown): a
// renewal under way finishes before a backoff, release or delete, so it
// never overwrites one nor reaches SQS after it, and a settle waits for no
// renewal but that one (an ack's delete waits on its own, so the messages
// held behind it in its FIFO group are not settled later for it). Every
// settling call (delete, visibility change, dead-letter copy) is bounded
// by a 10s timeout. SQS counts timeouts in seconds, so sub-second subscriber
// timeouts are rounded up.
//
// The consumer settings (MaxConcurrentCalls, WaitTime, VisibilityTimeout,
// NackBackoff, ShutdownTimeout) are declared once, in ConsumerConfig, which
// Config and SubscriberConfig both embed with one set of defaults and
// ranges.
//
// Shutdown (Close, or the end of the Subscribe context) starts no other
// ReceiveMessage call, but lets the long poll under way end as SQS answers
// it: SQS does not see a caller give a poll up, and hands the messages that
// arrive meanwhile to the poll anyway, so a poll cut short would leave them
// invisible to every consumer for their visibility timeout (and, on a FIFO
// queue, the rest of their groups behind them), a delay a rolling restart
// would add to every queue. The messages that poll returns are not handed
// out: each is released at once (dead-lettered, on its last allowed
// receive), as a message that arrives for a handler after shutdown began.
// The poll is cut only at the shutdown deadline (below), with a log line,
// and each poll's wait is capped so that it does not come to that: a poll
// waits WaitTime, or ShutdownTimeout less 1s in whole seconds if that is
// shorter (at least 1s, SQS's shortest long poll), so even one that starts
// as shutdown begins is answered a second before the deadline. Only a
// ShutdownTimeout under 2s, or an answer delayed past that second, still
// has a poll cut. The cap costs receives, one call per wait per idle
// subscription: a ShutdownTimeout of 5s under the default WaitTime (20s)
// polls every 4s, five times the calls. So a Close while no message comes
// takes the rest of the long poll, up to that wait; a shorter WaitTime
// shortens it at the same cost. A closer that waits less (a cqrs service
// whose ServiceConfig.CloseTimeout is shorter) reports a timeout for such
// a close, though nothing is lost. Shutdown
// waits up to ShutdownTimeout (30s by default) for handed-out messages to
// be acked or nacked (their acks are still deleted), then releases the rest and every
// held message with a zero visibility timeout (held messages ten per
// ChangeMessageVisibilityBatch call, the calls at once) so another
// consumer receives them without waiting, flushes the pending deletes and
// closes the channel. The heartbeat renews the messages still handled
// until the end of that wait (the shutdown deadline) and starts no renewal
// after it, nor for a message whose settling began, so a release or
// backoff starts at the latest when the renewal under way ends: against an
// endpoint that stops answering, Close returns within ShutdownTimeout plus
// 20s (the renewal under way, then the release or the delete of an ack,
// 10s each; once shutdown began the delete batches' calls run at once, so
// their number adds nothing), and 10s more for the messages held behind a
// FIFO group's head, released after it. A delete batch whose entries SQS
// fails on its own side is tried once more, 10s more. A
// message released that way on its last allowed receive would reach the
// dead-letter queue through the redrive policy on its next receive,
// without a reason: it is dead-lettered instead, with a reason saying it
// was not handled before shutdown. On a FIFO queue that
// holds only while no earlier message of its group stays on the queue (a
// copy that failed included); after one, the rest of the group is
// released, so the group's order holds in the dead-letter queue too.
//
// # Health
//
// Transport.Health reports SQS and SNS reachability, KMS (through the
// Encrypter's Check, when Config.KMSKeyID is set; degraded before
// NewEncryption, see Encryption) and the existence of every
// queue, dead-letter queue and topic, each with its latency and error, and
// the state of every publish circuit of Config.Circuits; HealthHandler
// serves it as JSON with status 200 or 503. HealthHandler runs one round
// of checks at a time, shared by the requests that arrive meanwhile, and
// answers with its report for HealthReuse (2s), so a
// burst of requests costs one round of AWS calls. Its report names the
// resources and the checks' errors (ARNs, account id): serve it on a
// private address.
//
// Transport.Depths reads the visible and in-flight counts of every queue
// the service consumes and of their dead-letter queues (one
// GetQueueAttributes call each, at once, each bounded by
// Config.HealthTimeout) as sourceflow.QueueDepth values, so
// metrics.DepthFunc(t.Depths) feeds the metrics package's depth gauges; a
// queue that does not answer costs its own depth, reported in the error,
// not the others'. Transport.DeadLettersByDestination counts, per
// destination, the messages the subscribers copied to a dead-letter queue,
// which metrics.Config.DeadLetters exports as a rate to alert on. This
// package does not import metrics.
//
// # Encryption
//
// The transport composes its AWS-specific encryption settings, so awsbus
// imports the encryption middleware package (and nothing else of the
// pipeline): NewEncryption builds the Encrypter and Decrypter from
// Config.KMSKeyID, with the SQS size limit for command destinations and the
// SNS limit for event destinations, only encrypted messages accepted on the consume side,
// and Encrypter.Check as the health report's KMS probe. The user still
// places the returned middleware in the Stack. The application name bound
// into the encryption context defaults to "sourceflow", not the service
// name, because a message's producer and consumer are different services.
// Bodies are encrypted and authenticated only once that middleware is in
// the Stack: the key alone encrypts the queues and topics at rest, and a
// service without the Decrypter handles whatever clear text anyone allowed
// sqs:SendMessage or sns:Publish on its destinations sends. So a
// transport with Config.KMSKeyID for which NewEncryption was not called
// warns once, when Bind (a service's Start) succeeds, naming the service,
// the key and the destinations (through Config.Logger, or at slog's Warn
// through slog.Default() when it is unset or watermill.NopLogger), and until NewEncryption is
// called the health report's KMS check, and the report, are "degraded",
// saying that bodies are neither encrypted nor authenticated. Neither
// refuses: encryption at rest alone may be meant, so HealthHandler still
// answers 200. The transport sees only whether NewEncryption was called:
// a service that called it but left its Encrypter and Decrypter out of
// the pipeline (no encryption.Use) is neither warned of nor degraded, and
// NewEncryption called after Bind comes too late to spare the warning.
// Config.KMSKeyID also encrypts the queues and topics at rest (SSE-KMS);
// without it NewEncryption returns ErrEncryptionDisabled and queues use
// SQS-managed encryption at rest.
package awsbus
