// Package repeatlog bounds the log lines of a failure that repeats while a
// condition lasts (a database or a transport that is down): the first
// failure is logged at once, then at most one line per interval with the
// number of failures since the line before, and the condition's end once,
// with the number of failures it lasted for. A failure whose reason (an
// error's text) none of the row's last eight lines gave is logged at once,
// at most one such line per 10 s: a cause that changes shows without
// waiting for the interval, and reasons that alternate, or change at every
// failure, do not flood the log.
//
// Row counts such a row of failures for a caller that words its own lines
// (the outbox's forwarder). Logger is a watermill.LoggerAdapter that bounds
// the Error lines a library logs while a condition lasts (watermill-sql's
// subscriber logs its failed poll at every retry, about once a second), its
// caller saying when the condition cleared.
//
// It is internal: it only serves the module's own packages.
package repeatlog
