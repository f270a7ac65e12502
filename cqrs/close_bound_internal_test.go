package cqrs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// selfInner is a transport of another package whose Inner returns itself:
// a wrapper written that way must not make a Close recurse without end.
type selfInner struct{ Transport }

func (s *selfInner) Inner() Transport { return s }

// A chain of transports in front of others that never reaches one of this
// package's transports names no bound, and ends.
func TestCloseBoundEndsOnATransportThatIsItsOwnInner(t *testing.T) {
	field, bound := closeBound(&selfInner{})
	assert.Empty(t, field)
	assert.Zero(t, bound)
	assert.Empty(t, transportCloseWait(&selfInner{}, time.Millisecond))
}

// A transport in front of another, itself in front of one of this
// package's transports, still has that transport's bound.
func TestCloseBoundReachesThroughTwoTransportsInFront(t *testing.T) {
	ch, err := NewChannelTransport(ChannelConfig{CloseTimeout: time.Minute})
	require.NoError(t, err)
	field, bound := closeBound(frontOf{frontOf{ch}})
	assert.Equal(t, "ChannelConfig.CloseTimeout", field)
	assert.Equal(t, time.Minute, bound)
}

// frontOf is a transport in front of another.
type frontOf struct{ Transport }

func (f frontOf) Inner() Transport { return f.Transport }

// boundOf is a transport of another package that names its own close
// bound, as awsbus.Transport names its ShutdownTimeout.
type boundOf struct{ Transport }

func (boundOf) CloseBound() (string, time.Duration) {
	return "awsbus.Config.ShutdownTimeout", 30 * time.Second
}

// A transport of another package that names its bound has it named, on its
// own, behind a transport in front of it, and inside a HybridTransport.
func TestCloseBoundNamesTheBoundATransportOfAnotherPackageNames(t *testing.T) {
	ch, err := NewChannelTransport(ChannelConfig{CloseTimeout: time.Second})
	require.NoError(t, err)
	hybrid, err := NewHybridTransport(HybridConfig{Default: ch, Events: boundOf{}})
	require.NoError(t, err)
	for _, tr := range []Transport{boundOf{}, frontOf{boundOf{}}, hybrid} {
		field, bound := closeBound(tr)
		assert.Equal(t, "awsbus.Config.ShutdownTimeout", field)
		assert.Equal(t, 30*time.Second, bound)
	}
	assert.Contains(t, transportCloseWait(boundOf{}, time.Second), "the transport's awsbus.Config.ShutdownTimeout 30s after the close began")
}
