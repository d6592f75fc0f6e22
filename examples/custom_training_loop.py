"""A training loop written by hand with tf.GradientTape, as TensorFlow's tutorials write it.

Run unchanged with: `python -m minikeras examples/custom_training_loop.py` (3 epochs on MNIST,
about 97 % test accuracy). The script is TensorFlow code: `import tensorflow as tf` gives
minikeras's stand-in, whose GradientTape records the `with` block with autograd.
Set `MINIKERAS_EXAMPLE_EPOCHS` / `MINIKERAS_EXAMPLE_SAMPLES` to train on less (the tests do).
"""

import os
import time

import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

EPOCHS = int(os.environ.get("MINIKERAS_EXAMPLE_EPOCHS", 3))
SAMPLES = int(os.environ.get("MINIKERAS_EXAMPLE_SAMPLES", 60000))
BATCH_SIZE = 64

tf.random.set_seed(0)

# Prepare the data: flat float images and integer labels, as tf.data pipelines.
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train[:SAMPLES].reshape(-1, 784).astype("float32") / 255.0
y_train = y_train[:SAMPLES]
x_test = x_test.reshape(-1, 784).astype("float32") / 255.0

train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train))
train_dataset = train_dataset.shuffle(buffer_size=1024).batch(BATCH_SIZE)
train_dataset = train_dataset.prefetch(tf.data.AUTOTUNE)
test_dataset = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(256)

model = keras.Sequential([
    keras.Input(shape=(784,)),
    layers.Dense(128, activation="relu"),
    layers.Dropout(0.2),
    layers.Dense(10),
])

loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = keras.optimizers.Adam(learning_rate=1e-3)
train_loss = keras.metrics.Mean(name="train_loss")
train_acc_metric = keras.metrics.SparseCategoricalAccuracy()
test_acc_metric = keras.metrics.SparseCategoricalAccuracy()


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        logits = model(x, training=True)
        loss_value = loss_fn(y, logits)
        loss_value += sum(model.losses)  # regularization penalties, if any layer adds some
    grads = tape.gradient(loss_value, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
    train_loss.update_state(loss_value)
    train_acc_metric.update_state(y, logits)
    return loss_value


@tf.function
def test_step(x, y):
    test_logits = model(x, training=False)
    test_acc_metric.update_state(y, test_logits)


for epoch in range(EPOCHS):
    start = time.time()
    for step, (x_batch, y_batch) in enumerate(train_dataset):
        loss_value = train_step(x_batch, y_batch)
        if step % 200 == 0:
            print(f"Training loss (for one batch) at step {step}: {float(loss_value):.4f}")

    for x_batch, y_batch in test_dataset:
        test_step(x_batch, y_batch)

    print(f"Epoch {epoch + 1}/{EPOCHS} - loss: {train_loss.result():.4f} - accuracy: "
          f"{train_acc_metric.result():.4f} - test accuracy: {test_acc_metric.result():.4f} "
          f"- {time.time() - start:.1f}s")
    train_loss.reset_state()
    train_acc_metric.reset_state()
    test_acc_metric.reset_state()
