// Package cqrstest helps users test code built on cqrs: an in-process
// Service wired to its own ChannelTransport and closed with the test,
// recorders that collect what handlers saw, a transport whose publishers
// panic (PanickingTransport), and conformance suites for
// store implementations (RunCommandStore, RunDocumentStore) that every
// CommandStore, EntityStore and ViewStore must pass, concurrency cases
// included. RunTransport is the conformance kit of transports: the
// model-level guarantees every cqrs.Transport must keep (a command reaches
// one instance of the one listening service, an event every subscribing
// service, a nacked message is redelivered, a permanent failure is
// dead-lettered with its reason while others flow, per-entity order where
// claimed, Close drains handlers in flight).
package cqrstest
