// Package destgrace decides when an outbox stops retrying messages whose
// destination its inner transport has no publisher for. Such a message
// was written by an instance whose transport knew the destination, so an
// instance without a publisher runs another version: during a rolling
// deploy that adds a route, an instance that knows it relays the message
// meanwhile. A destination that has had no publisher on this instance for
// Grace is one no running version knows any more (a removed route, a
// rollback past the version that added it): its messages are then
// dead-lettered rather than hold up the outbox for ever.
//
// The encryption package's Encrypter and Decrypter time a KMS key that
// GenerateDataKey or Decrypt refuses the same way, keyed by key and
// encryption context: their errors for that context become permanent once
// the key was refused for Grace. Clocks from NewClockForgetting, which
// forget a run after a pause of Grace, time the key unavailable under any
// context, and the Decrypter's contexts.
package destgrace
