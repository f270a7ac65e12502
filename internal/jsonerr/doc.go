// Package jsonerr says why JSON a message's sender wrote does not decode,
// in words that may go into a dead-letter reason, a log line or a span:
// never the sender's values (a value of the wrong type is named by its
// kind, what a decoder's error quotes is left out). awsbus describes an envelope attribute that
// is not a JSON object of strings with it, and cqrs a payload (or a stored
// saga state or view model) that does not decode into its Go type.
//
// It is internal: it only serves the module's own packages.
package jsonerr
