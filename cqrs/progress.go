package cqrs

import "sync"

// progress remembers, for messages whose handling failed part-way, which of
// a type's handlers already succeeded, so that a redelivery runs only the
// rest. It is bounded: past maxTracked messages the oldest entry is dropped
// (its handlers would then run again on a later redelivery).
type progress struct {
	mu    sync.Mutex
	done  map[string][]bool
	order []string
}

const maxTracked = 10_000

func (p *progress) completed(id string, n int) []bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]bool, n)
	copy(out, p.done[id])
	return out
}

func (p *progress) remember(id string, done []bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done == nil {
		p.done = map[string][]bool{}
	}
	if _, ok := p.done[id]; !ok {
		p.order = append(p.order, id)
		if len(p.order) > maxTracked {
			delete(p.done, p.order[0])
			p.order = p.order[1:]
		}
	}
	p.done[id] = done
}

func (p *progress) forget(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.done[id]; ok {
		delete(p.done, id)
		for i, v := range p.order {
			if v == id {
				p.order = append(p.order[:i], p.order[i+1:]...)
				break
			}
		}
	}
}
