"""The sequence course examples (text classification, SimpleRNN against LSTM) run through
`python -m minikeras` and reach what a broken library would not.

Both examples are seeded, so their numbers repeat on this machine; the comment above each
test gives the values measured when the thresholds were set.
"""

import re

from tests.examples.test_course_examples import number, run_example


# 1000 sentences, 5 epochs (~5 s): test accuracy 0.898 (the whole run, 2000 sentences and 10
# epochs: 0.978), where the majority class of the 500 test sentences is 0.516: the length does
# not depend on the label, so a model that does not read the words stays near 0.5. 47 % of the
# padded matrix is zeros (lengths 4 to 40 padded to 40). With the mask, the shortest test
# sentence gets the same probability alone and padded with 36 zeros (0.339507 both); without
# it (mask_zero=False, 4 epochs on 800) the two were 0.669 and 0.794.
def test_text_classification_reads_the_words_and_masks_the_padding():
    out = run_example("text_classification.py", MINIKERAS_EXAMPLE_SAMPLES=1000,
                      MINIKERAS_EXAMPLE_EPOCHS=5)
    assert "x_train shape: (1000, 40)" in out and "Epoch 5/5" in out
    assert "embedding (Embedding)" in out and "lstm (LSTM)" in out
    assert 35 < number(r"Padding: (\d+)% of x_train is zeros", out) < 60
    accuracy = number(r"Test accuracy: ([0-9.]+)", out)
    majority = number(r"Majority class share in the test set: ([0-9.]+)", out)
    assert majority < 0.6 and accuracy > majority + 0.2, out
    alone, padded, zeros = re.search(r'": ([0-9.]+) alone, ([0-9.]+) padded with (\d+) zeros',
                                     out).groups()
    assert int(zeros) >= 30 and abs(float(alone) - float(padded)) < 2e-6, out


# The whole run (3000 sequences, 20 epochs, ~10 s of CPU): how soon the LSTM "gets it" varies
# (epoch 5 to 15 on seeds 0-4; epoch 7 or 8 for seed 0, depending on the last bits of the LSTM
# arithmetic), so a shorter run would test luck. Seed 0: SimpleRNN 0.521, LSTM 0.993-0.995,
# also 0.99 on flags 50 or more steps before the end. The first/last-step gradient ratio:
# about 4e-9 and 2e-9 before training; after it SimpleRNN 1.6e-15 (0 to 1.5e-3 on seeds 0-4),
# LSTM 1.8-2.1 (3.7e-3 to 21). Whole runs, seeds 0-4: SimpleRNN 0.494-0.521, LSTM 0.982-0.997.
def test_lstm_learns_the_long_range_task_where_simple_rnn_stays_at_chance():
    out = run_example("rnn_vs_lstm.py")
    summary = re.search(r"Test accuracy: SimpleRNN ([0-9.]+), LSTM ([0-9.]+)\. First/last step "
                        r"gradient after training: SimpleRNN ([0-9.e+-]+), LSTM ([0-9.e+-]+)\.",
                        out)
    assert summary, out
    rnn, lstm, rnn_ratio, lstm_ratio = map(float, summary.groups())
    assert rnn < 0.6 and lstm > 0.9, out
    assert number(r"LSTM: test accuracy [0-9.]+ \(flag 50 or more steps before the end: "
                  r"([0-9.]+)\)", out) > 0.9
    assert lstm_ratio > 1e-2 and rnn_ratio < 1e-6, out
    # One ratio before training and one per epoch, for each model; both tiny at the start.
    rows = re.findall(r"each epoch:\n  (.*)\n", out)
    assert [len(row.split()) for row in rows] == [21, 21], out
    assert all(float(row.split()[0]) < 1e-6 for row in rows), out
