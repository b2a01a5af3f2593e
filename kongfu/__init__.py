"""KongFu: optimizers (keras, under akid's names) driven by learning-rate schemes."""
from akid.kongfu.kongfu import KongFu
from akid.kongfu.lr_schemes import LearningRateScheme, make_lr_scheme
from akid.kongfu.optimizers import (AdadeltaKongFu, AdagradKongFu, AdamKongFu,
                                    GradientDescentKongFu, MomentumKongFu, RMSPropKongFu)

__all__ = ["KongFu", "MomentumKongFu", "GradientDescentKongFu", "AdamKongFu", "RMSPropKongFu",
           "AdagradKongFu", "AdadeltaKongFu", "LearningRateScheme", "make_lr_scheme"]
