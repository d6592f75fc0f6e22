'''Text classification with an LSTM: sentences of different lengths, padded to one length,
an Embedding that masks the padding, an LSTM reading the words, and a sigmoid for the label.

The sentences are generated (seeded), so the script runs offline in seconds: each is 4 to 40
words drawn from a vocabulary of 500, mostly neutral filler, with one or three opinion words;
the label is 1 when most of the opinion words are positive ("good", "great"...) and 0 when
most are negative ("bad", "awful"...). The label does not depend on the length, so only a
model that reads the words can beat 0.5.

`pad_sequences` adds zeros in front of the shorter sentences; `Embedding(mask_zero=True)`
tells the LSTM to skip them, so a sentence gets the same prediction padded or not (printed
at the end).

Run: `python -m minikeras examples/text_classification.py` (a few seconds). Set
`MINIKERAS_EXAMPLE_EPOCHS` / `MINIKERAS_EXAMPLE_SAMPLES` to train on less (the tests do).
'''
import os

import numpy as np
import keras
from keras.layers import LSTM, Dense, Embedding, Input
from keras.models import Sequential
from keras.utils import pad_sequences

epochs = int(os.environ.get('MINIKERAS_EXAMPLE_EPOCHS', 10))
samples = int(os.environ.get('MINIKERAS_EXAMPLE_SAMPLES', 2000))
vocab_size = 500  # word ids 1..499; 0 is the padding
maxlen = 40

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

positive = ['good', 'great', 'excellent', 'wonderful', 'enjoyable', 'brilliant', 'superb',
            'delightful', 'fun', 'moving']
negative = ['bad', 'awful', 'boring', 'terrible', 'dull', 'poor', 'weak', 'annoying',
            'tedious', 'mediocre']
words = ['<pad>'] + positive + negative
words += ['word%d' % i for i in range(len(words), vocab_size)]  # the neutral filler
positive_ids = np.arange(1, 1 + len(positive))
negative_ids = np.arange(1 + len(positive), 1 + len(positive) + len(negative))
neutral_ids = np.arange(1 + len(positive) + len(negative), vocab_size)


def sentences(n):
    '''n sentences (lists of word ids) and their labels.'''
    texts, labels = [], rng.integers(0, 2, size=n)
    for label in labels:
        length = rng.integers(4, maxlen + 1)
        opinions = rng.choice([1, 3])
        majority = rng.integers(opinions // 2 + 1, opinions + 1)  # words agreeing with label
        agreeing, disagreeing = (positive_ids, negative_ids) if label else \
            (negative_ids, positive_ids)
        sentence = rng.choice(neutral_ids, size=length)
        where = rng.choice(length, size=opinions, replace=False)
        sentence[where[:majority]] = rng.choice(agreeing, size=majority)
        sentence[where[majority:]] = rng.choice(disagreeing, size=opinions - majority)
        texts.append(list(sentence))
    return texts, labels.astype('float32')


train_texts, y_train = sentences(samples)
test_texts, y_test = sentences(500)
short = [(text, label) for text, label in zip(train_texts, y_train) if len(text) <= 10]
for text, label in short[:3]:
    print('label %d: %s' % (label, ' '.join(words[i] for i in text)))

x_train = pad_sequences(train_texts, maxlen=maxlen)  # zeros in front (padding='pre')
x_test = pad_sequences(test_texts, maxlen=maxlen)
print('x_train shape:', x_train.shape)
print('Padding: %.0f%% of x_train is zeros' % (100 * np.mean(x_train == 0)))

model = Sequential([
    Input(shape=(None,)),  # any length: the same model reads one sentence unpadded
    Embedding(vocab_size, 16, mask_zero=True),
    LSTM(32),
    Dense(1, activation='sigmoid'),
])
model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
model.summary()

model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_split=0.1, verbose=2)
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print('Test accuracy: %.4f' % accuracy)
# The words are the only clue: guessing from anything else scores about the majority share.
print('Majority class share in the test set: %.4f' % max(y_test.mean(), 1 - y_test.mean()))

# The mask at work: the shortest test sentence, alone and padded to 40 words.
shortest = min(test_texts, key=len)
alone = model.predict(np.array([shortest]), verbose=0)[0, 0]
padded = model.predict(pad_sequences([shortest], maxlen=maxlen), verbose=0)[0, 0]
print('"%s": %.6f alone, %.6f padded with %d zeros'
      % (' '.join(words[i] for i in shortest), alone, padded, maxlen - len(shortest)))
