// Package slogdefault is the watermill.LoggerAdapter the module's configs
// default their Logger to: one over slog.Default(), as it is when a line is
// logged, with Watermill's Info lowered to slog's Debug so that at slog's
// default level only failures pass. cqrs's Service and transports and the
// SQL outbox share it.
//
// It is internal: it only serves the module's own packages.
package slogdefault
