// Package cqrstest helps users test code built on cqrs: an in-process
// Service wired to its own ChannelTransport and closed with the test, and
// recorders that collect what handlers saw.
package cqrstest
