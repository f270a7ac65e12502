package encryption

import "github.com/ThreeDotsLabs/watermill/message"

// publisher encrypts every message before handing it to the wrapped
// publisher. If any message of a Publish call cannot be encrypted, none is
// published and the error is returned, so the caller loses nothing.
type publisher struct {
	pub message.Publisher
	enc *Encrypter
}

// Publish implements message.Publisher.
func (p *publisher) Publish(topic string, msgs ...*message.Message) error {
	out := make([]*message.Message, len(msgs))
	for i, m := range msgs {
		c, err := p.enc.Encrypt(m.Context(), topic, m)
		if err != nil {
			return err
		}
		out[i] = c
	}
	return p.pub.Publish(topic, out...)
}

// Close implements message.Publisher.
func (p *publisher) Close() error { return p.pub.Close() }
