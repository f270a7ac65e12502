// Package backend is what sqlbackend and dynamobackend share: a Backend
// that fills a cqrs.ServiceConfig's stores, puts an outbox in front of its
// transport when there is one, makes transactional idempotency middleware,
// runs the database's health check (Check, ErrClosed once closed) and
// closes everything it opened, last opened first. Each public package
// opens its database's stores and hands them over.
package backend
