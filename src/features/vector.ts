/** Named numeric features, the input of the vector models (forests, autoencoder, boundary); absent names count as 0. */
export type Features = Record<string, number>;
