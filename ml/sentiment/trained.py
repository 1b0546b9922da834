"""A text model learnt from the shop's own rated reviews, blended with the lexicon score.

TF-IDF of words and word pairs (sublinear term frequency), ridge regression onto the star rating
rescaled to -1..1 (1★ → -1, 3★ → 0, 5★ → 1). Plain Python + scikit-learn, no Django: the caller
hands it texts and ratings and stores ``to_bytes()`` (``ml.models.TrainedModel``).
``benchmarks/sentiment.py`` measured the blend against the lexicon alone and plain VADER.
"""

import pickle

MIN_REVIEWS = 50  # fewer rated reviews than this teach nothing worth blending in


def rating_target(rating: int) -> float:
    return (int(rating) - 3) / 2


class ReviewTextModel:
    def __init__(self, *, alpha: float = 1.0, min_df: int = 2):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import Ridge
        from sklearn.pipeline import make_pipeline

        self.alpha, self.min_df = alpha, min_df
        self.samples = 0
        self.pipeline = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, sublinear_tf=True), Ridge(alpha=alpha)
        )

    def fit(self, texts, ratings) -> "ReviewTextModel":
        texts = [t or "" for t in texts]
        if len(texts) < MIN_REVIEWS:
            raise ValueError(f"At least {MIN_REVIEWS} rated reviews are needed, got {len(texts)}")
        self.pipeline.fit(texts, [rating_target(r) for r in ratings])
        self.samples = len(texts)
        return self

    def predict(self, texts) -> list[float]:
        """Each text's learnt score, clipped to -1..1."""
        return [max(-1.0, min(1.0, float(v))) for v in self.pipeline.predict([t or "" for t in texts])]

    def to_bytes(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def from_bytes(payload: bytes) -> "ReviewTextModel":
        """Only ever called on bytes this module wrote into the shop's own database."""
        model = pickle.loads(payload)  # noqa: S301
        if not isinstance(model, ReviewTextModel):
            raise TypeError("Not a ReviewTextModel")
        return model
