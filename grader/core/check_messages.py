"""Feedback sentences for the precision rules, form tests and the answer kinds added with them.

Kept beside ``messages.FEEDBACK`` (which merges them in) so each checker's text still lives in one place.
"""

from __future__ import annotations

CHECK_FEEDBACK = {
    # precision
    "precision-decimal": "Give a decimal number here, so its {what} can be counted (not a fraction or an expression).",
    "sigfigs-value": "The value is not correct to {sigfigs} significant figures (the number of figures is right).",
    "sigfigs-value-count": "The value is not correct to {sigfigs} significant figures, and you gave {given}.",
    "sigfigs-too-many": "The value is right, but give it to {sigfigs} significant figures (you gave {given}).",
    "decimals-value": "The value is not correct to {decimals} decimal places (the number of places is right).",
    "decimals-value-count": "The value is not correct to {decimals} decimal places, and you gave {given}.",
    "decimals-too-many": "The value is right, but give it with {decimals} decimal places (you gave {given}).",
    "decimal-comma-ambiguous": "'{raw}' is ambiguous: write {thousands} if the comma is a thousands separator, "
                               "or {decimal} if it is a decimal point.",
    "exponent-letter-ambiguous": "'{raw}' is ambiguous because {letter} is a variable here",
    # forms
    "form-lowest-terms": "Your answer is equivalent, but the fraction is not in lowest terms.",
    "form-single-fraction": "Your answer is equivalent, but it must be written as a single fraction.",
    "form-partial-fractions": "Your answer is equivalent, but it must be written in partial fractions.",
    "form-completed-square": "Your answer is equivalent, but it must be written with the square completed, "
                             "as a(x - h)^2 + k.",
    "form-no-floats": "Give an exact answer, without decimals (write 1/3, not 0.333).",
    "form-factored-reducible": "Your expression is equivalent, but it must be given in factored form: "
                               "{factor} can be factored further.",
    "inexact-decimals": "Your decimals are close to the exact answer but not equal to it: give the exact value.",
    "too-few-points": "Your answer could not be compared at enough points.",
    # equations
    "equation-expected": "Give an equation, with '=' (for example y = 2x + 1).",
    "equation-not-equivalent": "Your equation does not have the same solutions as the expected one.",
    "equation-too-many": "Give one equation, with a single '='.",
    # intervals
    "interval-endpoint": "The {side} endpoint {given} is not right.",
    "interval-bracket": "The {side} end at {given} should be {wanted}: write '{bracket}'.",
    "interval-pieces": "Your answer has {given} interval(s); the expected set has {expected}.",
    "interval-wrong": "Your set is not the expected one.",
    # sets and tuples
    "set-missing": "{count} expected element(s) are missing.",
    "set-extra": "{count} element(s) of your answer are not in the expected set.",
    "set-duplicate": "An element is listed more than once.",
    "set-order": "The elements are right but the order is not.",
    "set-count": "Give {expected} element(s); you gave {given}.",
    # complex numbers
    "complex-conjugate": "Your answer is the complex conjugate of the expected one.",
    "complex-real-part": "The real part is right but the imaginary part is not.",
    "complex-imaginary-part": "The imaginary part is right but the real part is not.",
    "complex-form-rectangular": "Your number is right, but give it in rectangular form a + b{unit}.",
    "complex-form-polar": "Your number is right, but give it in polar form r e^({unit} θ).",
    "complex-not-number": "The answer must be a complex number such as 3 - 4{unit}.",
    # units
    "unit-missing": "Give the unit with your answer (for example {example}).",
    "unit-unknown": "{unit} is not a unit I know",
    "unit-dimension": "Your answer is {given}; {expected} was asked.",
    "unit-other": "The value is right, but give it in {unit}.",
    # antiderivatives
    "antiderivative-constant": "Your antiderivative is right, but add the constant of integration (+ {name}).",
    "antiderivative-integrand": "That is the integrand itself: integrate it.",
    "antiderivative-derivative": "That looks like the derivative of the integrand, not an antiderivative.",
    "antiderivative-wrong": "Differentiating your answer does not give the integrand.",
    # matrices and vectors
    "vector-orientation": "Your vector is a {given} vector; a {expected} vector was asked.",
}
