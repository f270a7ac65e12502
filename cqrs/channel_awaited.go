package cqrs

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
)

// Gochannel drops, without a word, a message it has not yet handed to a
// subscription that ends: as its subscription's context ends, or as the
// pub/sub closes. A publish caught in that moment returns nil for a
// message that subscription never receives. So a ChannelTransport tags
// each message it hands to gochannel, and each subscription ready then
// (for a queued event, also each ready as it was queued; see handedBatch)
// awaits it; a subscription strips the tag from what it receives, and
// once gochannel closed its channel, what it still awaits is
// dead-lettered (notReached) rather than lost.

// channelTag is the metadata key of the tag a message carries from its
// publish to the subscriptions that await it.
const channelTag = "sf_channel_tag"

// notReached is the reason a message a subscription awaited and never
// received is dead-lettered with.
const notReached = "not delivered: its subscription closed before the message reached it"

// awaited is what one ready subscription is yet to receive: the messages
// handed to gochannel while it was ready, by tag.
type awaited struct {
	mu   sync.Mutex
	msgs map[string]*message.Message
}

// await records m, tagged tag, as awaited.
func (a *awaited) await(tag string, m *message.Message) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.msgs == nil {
		a.msgs = map[string]*message.Message{}
	}
	a.msgs[tag] = m
}

// awaits reports whether m, tagged, is still awaited.
func (a *awaited) awaits(m *message.Message) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.msgs[m.Metadata.Get(channelTag)]
	return ok
}

// withdraw forgets msgs, whose publish failed.
func (a *awaited) withdraw(msgs []*message.Message) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, m := range msgs {
		delete(a.msgs, m.Metadata.Get(channelTag))
	}
}

// arrived strips m's tag and forgets m: it was received.
func (a *awaited) arrived(m *message.Message) {
	tag := m.Metadata.Get(channelTag)
	if tag == "" {
		return
	}
	delete(m.Metadata, channelTag)
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.msgs, tag)
}

// missed returns, and forgets, what is still awaited, untagged, each with
// context.Background, in the order its publishes took their tags (one
// publisher's, in publish order).
func (a *awaited) missed() []*message.Message {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]*message.Message, 0, len(a.msgs))
	for _, tag := range slices.SortedFunc(maps.Keys(a.msgs), byTag) {
		out = append(out, untagged(a.msgs[tag]))
	}
	a.msgs = nil
	return out
}

// byTag orders tags as they were given, the counter's decimal digits.
func byTag(x, y string) int {
	return cmp.Or(cmp.Compare(len(x), len(y)), strings.Compare(x, y))
}

// untagged returns a copy of m, with context.Background, without the tag
// it carried to the subscriptions that awaited it.
func untagged(m *message.Message) *message.Message {
	kept := m.Copy()
	delete(kept.Metadata, channelTag)
	return kept
}

// publish publishes msgs to destination's gochannel pub/sub, awaited by
// the subscriptions ready now.
func (t *ChannelTransport) publish(destination string, msgs ...*message.Message) error {
	return t.publishAwaited(destination, nil, msgs)
}

// publishAwaited publishes msgs to destination's gochannel pub/sub, awaited
// by the subscriptions ready now and, for queued messages tagged as they
// were queued (see handedLocked), by prior, those ready then. An error
// means msgs are awaited by none: their publish failed (see unpublished).
func (t *ChannelTransport) publishAwaited(destination string, prior []*awaited, msgs []*message.Message) error {
	ps, tagged, awaiting, err := t.channelAwaiting(destination, msgs, prior)
	if err == nil {
		err = ps.Publish(destination, tagged...)
	}
	if err != nil {
		return t.unpublished(awaiting, tagged, err)
	}
	return nil
}

// unpublished settles tagged, awaited by awaiting, whose publish failed
// with err (gochannel refuses a publish once it closed). A subscription
// that closed meanwhile may already have dead-lettered them (see
// neverReached): the others then dead-letter them too as they close, and
// the publish counts as done, nil, so that its publisher does not publish
// again what was dead-lettered. Otherwise none awaits them any more, and
// the publish fails with err.
func (t *ChannelTransport) unpublished(awaiting []*awaited, tagged []*message.Message, err error) error {
	if !t.withdrawn(awaiting, tagged) {
		return nil
	}
	return err
}

// withdrawn settles tagged, awaited by awaiting, as never to be published.
// It reports false, leaving them awaited, when a subscription that closed
// meanwhile already dead-lettered them (see neverReached); otherwise it
// withdraws them from every one of awaiting and reports true: whoever
// fails the publish reports or dead-letters them.
func (t *ChannelTransport) withdrawn(awaiting []*awaited, tagged []*message.Message) bool {
	if len(awaiting) == 0 || len(tagged) == 0 || tagged[0].Metadata.Get(channelTag) == "" {
		return true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, a := range awaiting {
		if !a.awaits(tagged[0]) {
			return false
		}
	}
	for _, a := range awaiting {
		a.withdraw(tagged)
	}
	return true
}

// channelAwaiting returns the gochannel pub/sub of dest, and msgs tagged
// and awaited by every subscription of dest ready now, with prior, what
// already awaits them (see publishAwaited), and those subscriptions
// (returned as awaiting). Untagged msgs with nobody awaiting them are
// returned as they are.
func (t *ChannelTransport) channelAwaiting(dest string, msgs []*message.Message, prior []*awaited) (ps *gochannel.GoChannel, tagged []*message.Message, awaiting []*awaited, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ps, err = t.channelLocked(dest)
	if err != nil || len(t.awaiting[dest]) == 0 {
		return ps, msgs, prior, err
	}
	ready := slices.Collect(maps.Keys(t.awaiting[dest]))
	awaiting = slices.Clone(prior)
	for _, a := range ready {
		if !slices.Contains(prior, a) {
			awaiting = append(awaiting, a)
		}
	}
	return ps, t.tagLocked(msgs, ready, len(prior) > 0), awaiting, nil
}

// tagLocked returns msgs tagged, each awaited by ready: copies, context
// included, tagged anew, or, for queued msgs (copies already, see
// handedLocked) that carry a tag, msgs themselves. The caller holds mu.
func (t *ChannelTransport) tagLocked(msgs []*message.Message, ready []*awaited, queued bool) []*message.Message {
	tagged := make([]*message.Message, len(msgs))
	for i, m := range msgs {
		tag := m.Metadata.Get(channelTag)
		tagged[i] = m
		if !queued || tag == "" {
			t.tags++
			tag = strconv.FormatUint(t.tags, 10)
			tagged[i] = copyWithRoom(m, 1, nil)
			tagged[i].Metadata.Set(channelTag, tag)
		}
		for _, a := range ready {
			a.await(tag, tagged[i])
		}
	}
	return tagged
}

// awaitedLocked records a, what a subscription of dest that became ready
// awaits, so that publishes to dest tag their messages for it; the caller
// holds mu.
func (t *ChannelTransport) awaitedLocked(dest string, a *awaited) {
	if t.awaiting[dest] == nil {
		t.awaiting[dest] = map[*awaited]struct{}{}
	}
	t.awaiting[dest][a] = struct{}{}
}

// unawaitedLocked takes a, what a subscription of dest that is no longer
// ready awaits, out of what publishes to dest tag for; the caller holds mu.
func (t *ChannelTransport) unawaitedLocked(dest string, a *awaited) {
	delete(t.awaiting[dest], a)
	if len(t.awaiting[dest]) == 0 {
		delete(t.awaiting, dest)
	}
}

// neverReached dead-letters what a, a subscription of dest whose gochannel
// channel closed, awaited and never received. It takes them under mu:
// unpublished decides under mu whether they were taken.
func (t *ChannelTransport) neverReached(dest string, a *awaited) {
	t.mu.Lock()
	missed := a.missed()
	t.mu.Unlock()
	for _, m := range missed {
		t.deadLetter(DeadLetter{Destination: dest, Message: m, Reason: notReached})
	}
}
