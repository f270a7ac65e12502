// Package sourceflow is the root of SourceFlow for Go: a CQRS framework whose
// aggregates send commands, sagas handle them and raise events, and views
// project those events, all running on Watermill routers over a swappable
// transport (in-process gochannel by default, AWS SQS/SNS across services).
//
// The root package holds only what every other package shares, each concept
// under one name: the reserved message metadata keys of the SourceFlow
// envelope and the consume markers, the transport attribute budget, the plain
// description of a service's routes that the model hands to a transport
// (Binding), the correlation id and the handling-transaction mark carried
// in a context, and the shared shapes Clock, RetryPolicy (with the Backoff
// loop that runs it), the SQL Dialect every SQL package takes, PanicError,
// Transactor, QueueDepth and the publish circuit states (CircuitState,
// Circuit, CircuitSource). It imports only the standard library. Everything
// else lives in sub-packages:
//
//   - cqrs: the model (envelope, type registry, Aggregate, Saga, View,
//     CommandBus, EventQueue, replay, the Transport interface, its gochannel
//     implementation, the PubSubTransport over any Watermill Pub/Sub and the
//     per-destination HybridTransport); cqrs/sqlstore keeps its state in
//     PostgreSQL, MySQL/MariaDB or SQLite, cqrs/dynamostore in DynamoDB.
//   - middleware: the ordered Stack of pipeline phases, Recover, Correlation,
//     Retry, the publish CircuitBreaker, and the feature packages (tracing,
//     metrics, encryption) beneath it.
//   - idempotency: claim/complete stores and their middleware;
//     idempotency/sqlstore and idempotency/dynamostore share them between
//     instances.
//   - awsbus: the AWS transport (SQS for commands, SNS for events);
//     awsbus/topology derives and provisions its resources.
//   - sqlbus: the transport over PostgreSQL or MySQL tables (watermill-sql);
//     outbox: the transactional outbox in front of any transport.
//   - cmd/sourceflow: the operations CLI (plan, apply, validate, health,
//     iam-policy, export, dlq, sql).
package sourceflow
