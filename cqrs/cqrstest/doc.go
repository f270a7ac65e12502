// Package cqrstest helps users test code built on cqrs: an in-process
// Service wired to its own ChannelTransport and closed with the test,
// recorders that collect what handlers saw, and conformance suites for
// store implementations (RunCommandStore, RunDocumentStore) that every
// CommandStore, EntityStore and ViewStore must pass, concurrency cases
// included.
package cqrstest
