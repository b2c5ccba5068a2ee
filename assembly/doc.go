// Package assembly builds an assessment from a snapshot of the question bank:
// it picks the questions that satisfy the hard constraints of SPEC §4 and
// bring each dimension's share of the minutes as close as possible to its
// weight. It is pure: no I/O, no clock, no global randomness. The same bank
// and request always give the same assessment, whatever order the bank lists
// its questions in.
//
// # What is optimised
//
// Hard constraints: total minutes within [min, max]; every competency the
// role lists covered; at least one video and one written item; required
// questions included and excluded ones absent; each requested stack that has
// an eligible stack-specific question gets at least one.
//
// Among selections meeting them, the engine minimises this key, in order:
//
//  1. whether some dimension's share lies more than Tolerance (5) points from
//     its weight: selections within ±5 everywhere come first when the bank
//     has any;
//  2. the deviation Σ|share − weight| over the taxonomy's dimensions, compared
//     exactly as rationals (Σ|100·m_d − w_d·T| / T), never as floats;
//  3. the number of items: a hiring manager expects no padding, so when two
//     selections are equally balanced the one with fewer items wins;
//  4. the seed: every remaining tie is broken by a PCG generator seeded from
//     Request.Seed, so different seeds vary the assessment and one seed always
//     gives the same answer on the same bank.
//
// Step 1 never costs optimality for the shipped three-dimension taxonomy. The
// signed deviations sum to zero, so the largest single deviation is at most
// half the sum: a selection with sum ≤ 10 is inside the band. With three
// dimensions any selection inside the band has sum ≤ 10 (at most two
// deviations share a sign and the third, of the other sign, balances them and
// is itself ≤ 5). So the optimum of the sum is inside the band whenever
// anything is. With four or more dimensions the two goals can disagree; the
// engine then keeps the band promise and optimises the sum within it.
//
// # Why the answer is exact
//
// The objective depends only on the minutes per dimension, and the
// constraints split into a part inside each dimension (its competencies) and
// a part across dimensions (formats, stacks, total). So:
//
//   - Questions that agree on dimension, minutes and the constraint bits they
//     can set (which still-uncovered role competency, which still-missing
//     format, which still-uncovered requested stacks) are interchangeable;
//     they are merged into one class with a count. A 5,000-question bank
//     collapses to a few hundred classes.
//   - For each dimension, a dynamic programme over its classes computes, for
//     every minute total m ≤ max and every set of cross-dimension bits, the
//     fewest items that reach exactly m while covering all of the dimension's
//     competencies. It is exhaustive over counts per class, so nothing
//     feasible is missed.
//   - A branch and bound over the total T and the per-dimension minutes then
//     combines the tables. Its bound, Σ so far + |100·(minutes left) −
//     (weights left)·T|, is the triangle inequality, so it never prunes a
//     selection that could be at least as good; it is exact at the last
//     dimension, whose minutes are fixed by T.
//   - The chosen minute vector is turned back into questions by walking the
//     tables backwards, choosing among equally good predecessors with the
//     seed, and then drawing the concrete questions of each class with it.
//
// Running time is linear in the number of classes and polynomial in max
// minutes, and exponential only in the constraint bits of one dimension: the
// competencies it must cover (four at most in the shipped roles), the two
// formats and the requested stacks that need a question (covering sets is
// NP-hard in general). Requests are therefore limited to MaxStacks stacks.
//
// # Request details
//
// Role and seniority are matched case-insensitively; stacks accept ids or
// aliases in any case, and repeated stacks count once, in first-mention
// order (which decides the variant text). A required question must itself be
// eligible (active, for the role, the seniority and the requested stacks):
// naming one that is not is a mistake in the request, not a reason to break
// the candidate rules. Excluded ids that the bank does not hold are ignored,
// so a template keeps working after a question it excludes is retired.
//
// # Errors
//
// A malformed request is a qbank.EINVALID error whose violations name the
// request's JSON field and list the valid values. A well-formed request the
// bank cannot satisfy is qbank.EPRECONDITION, and its message names the
// constraint that failed.
package assembly
