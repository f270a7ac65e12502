package cqrs

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
)

// A dead letter list tells each watcher of every dead letter added, in
// order, those its bound drops before anyone reads the list included, and
// tells a watcher nothing once its stop returned.
func TestDeadLetterListTellsWatchersOfEveryDeadLetterUntilStopped(t *testing.T) {
	l := deadLetterList{max: 1}
	var first, second []string
	stopFirst := l.notify(func(dl DeadLetter) { first = append(first, dl.Message.UUID) })
	stopSecond := l.notify(func(dl DeadLetter) { second = append(second, dl.Message.UUID) })
	defer stopSecond()
	l.add(DeadLetter{Message: message.NewMessage("m-a", nil)})
	l.add(DeadLetter{Message: message.NewMessage("m-b", nil)})
	stopFirst()
	l.add(DeadLetter{Message: message.NewMessage("m-c", nil)})

	assert.Equal(t, []string{"m-a", "m-b"}, first, "told of both, then stopped")
	assert.Equal(t, []string{"m-a", "m-b", "m-c"}, second)
	kept := l.snapshot()
	if assert.Len(t, kept, 1, "the list keeps its bound") {
		assert.Equal(t, "m-c", kept[0].Message.UUID)
	}
}
