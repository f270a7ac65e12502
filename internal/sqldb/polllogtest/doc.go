// Package polllogtest checks, for the unit tests of the packages whose
// watermill-sql subscribers log through sqldb.PollLog (sqlbus, outbox),
// what a database outage logs: CheckOutageLog fails the polls of a fake
// database (sqldbtest.DB) for ten minutes of a synctest bubble's time, then
// lets them through, and checks that the failed polls were logged once at
// once, then once a minute with the failures held back, and their end once.
package polllogtest
