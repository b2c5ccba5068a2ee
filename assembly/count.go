package assembly

import "math/bits"

// countCap is where counting stops: counts saturate there and are then
// reported as a lower bound.
const countCap = uint64(1) << 62

func satAdd(a, b uint64) uint64 {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 || s > countCap {
		return countCap
	}
	return s
}

func satMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 || lo > countCap {
		return countCap
	}
	return lo
}

// binomial returns C(n, x), saturated at countCap.
func binomial(n, x int) uint64 {
	c := uint64(1)
	for i := range x {
		// c·(n−i) is divisible by i+1 exactly (c = C(n, i)).
		hi, lo := bits.Mul64(c, uint64(n-i))
		if hi >= uint64(i+1) {
			return countCap
		}
		q, _ := bits.Div64(hi, lo, uint64(i+1))
		if q > countCap {
			return countCap
		}
		c = q
	}
	return c
}

// countAcceptable counts the acceptable selections of questions (not of
// count vectors: a class of n members used x times contributes C(n, x)).
// Every selection has one minute vector, one mask per dimension and one
// count per class, so the sum over boxes, masks and counts counts each once.
// The second result is false when the count saturated.
func (pr *problem) countAcceptable(boxes []box) (uint64, bool) {
	width := pr.p.max + 1
	D := len(pr.tables)
	K := 1 << pr.outerBits
	// final[d][m]: (outer bits, selections) per exact outer mask.
	type way struct {
		outer uint32
		n     uint64
	}
	final := make([][][]way, D)
	exact := true
	for d, t := range pr.tables {
		cur := make([]uint64, width)
		cur[t.baseMinutes] = 1
		for j, cl := range t.classes {
			prevL, nextL := &t.layers[j], &t.layers[j+1]
			next := make([]uint64, len(nextL.masks)*width)
			choose := make([]uint64, cl.cap+1)
			for x := range choose {
				choose[x] = binomial(len(cl.members), x)
			}
			for i, s := range prevL.masks {
				k0, _ := nextL.find(s)
				k1, _ := nextL.find(s | cl.bits)
				for m := range width {
					v := cur[i*width+m]
					if v == 0 {
						continue
					}
					for x := 0; x <= cl.cap && m+x*cl.minutes < width; x++ {
						k := k0
						if x > 0 {
							k = k1
						}
						at := k*width + m + x*cl.minutes
						next[at] = satAdd(next[at], satMul(v, choose[x]))
					}
				}
			}
			cur = next
		}
		last := &t.layers[len(t.layers)-1]
		final[d] = make([][]way, width)
		for i, mask := range last.masks {
			if mask&t.fullCov != t.fullCov {
				continue
			}
			for m := range width {
				if v := cur[i*width+m]; v > 0 {
					final[d][m] = append(final[d][m], way{mask >> t.covBits, v})
				}
			}
		}
	}
	total := uint64(0)
	for _, b := range boxes {
		T := b.T
		cur := make([]uint64, (T+1)*K)
		cur[0] = 1
		for d := range D {
			next := make([]uint64, (T+1)*K)
			for u := 0; u <= T; u++ {
				lo, hi := b.lo[d], min(b.hi[d], T-u)
				if d == D-1 {
					if T-u < b.lo[d] || T-u > b.hi[d] {
						continue
					}
					lo, hi = T-u, T-u
				}
				for o := range K {
					v := cur[u*K+o]
					if v == 0 {
						continue
					}
					for m := lo; m <= hi; m++ {
						for _, w := range final[d][m] {
							at := (u+m)*K + (o | int(w.outer))
							next[at] = satAdd(next[at], satMul(v, w.n))
						}
					}
				}
			}
			cur = next
		}
		total = satAdd(total, cur[T*K+int(pr.needOuter)])
	}
	if total >= countCap {
		exact = false
	}
	return total, exact
}
