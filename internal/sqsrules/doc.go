// Package sqsrules holds the rules SQS applies to the text it accepts:
// message bodies and attribute values, attribute names, and FIFO message
// group and deduplication ids. awsbus checks its messages with them before
// it sends, and the fake SQS of awsbus/awsbustest rejects with them what
// SQS would, so the two cannot drift apart. cqrs makes the failure reasons it
// records on messages valid text with Text: SQS's and SNS's rules are the
// strictest of the transports', so every transport takes them.
//
// It is internal: it only serves the module's own packages.
package sqsrules
