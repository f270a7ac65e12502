// Package sourceflow is the root of SourceFlow for Go: a CQRS framework whose
// aggregates send commands, sagas handle them and raise events, and views
// project those events, all running on Watermill routers over a swappable
// transport (in-process gochannel by default, AWS SQS/SNS across services).
//
// The root package holds only what every other package shares: the reserved
// message metadata keys of the SourceFlow envelope, the transport attribute
// budget, and the plain description of a service's routes that the model
// hands to a transport. Everything else lives in sub-packages:
//
//   - cqrs: the model (envelope, type registry, Aggregate, Saga, View,
//     CommandBus, EventQueue, replay, the Transport interface and its gochannel
//     implementation).
//   - middleware: the ordered Stack of pipeline phases, Recover, Correlation,
//     and the feature packages (tracing, metrics, encryption) beneath it.
//   - idempotency: claim/complete stores and their middleware.
//   - awsbus: the AWS transport (SQS for commands, SNS for events).
package sourceflow
