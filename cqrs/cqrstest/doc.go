// Package cqrstest helps users test code built on cqrs: an in-process
// Service wired to its own ChannelTransport (or one the test gives it) and
// closed with the test (New), recorders that collect what handlers saw, a
// transport whose publishers panic (PanickingTransport), and conformance
// suites for store implementations (RunCommandStore, RunDocumentStore) that
// every CommandStore, EntityStore and ViewStore must pass, concurrency cases
// included.
//
// A Harness follows what its service publishes and handles: WaitIdle
// returns once every message it published, and all it cascaded into, was
// handled or dead-lettered, so a flow on an asynchronous transport
// (ChannelConfig.Async, a PubSubTransport, sqlbus) is asserted without
// polling; Stub and Sent stand in for another service's destination and
// show what was sent there; DeadLetters reads the transport's dead letters,
// whichever it is; Deliver hands the service a message as another sender
// would (a raw or older body, a redelivery). The harness's own transport redelivers a failed message
// after 10ms whatever delay its handler's error hints.
//
// RunTransport is the conformance kit of transports: the model-level
// guarantees every cqrs.Transport must keep (a command reaches one instance
// of the one listening service, an event every subscribing service, a
// nacked message is redelivered, a permanent failure is dead-lettered with
// its reason while others flow, per-entity order where claimed, Close
// drains handlers in flight).
package cqrstest
