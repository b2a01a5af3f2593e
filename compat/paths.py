"""The table of akid's old import paths: for each, where its names live today, its renames,
and why a name with no counterpart is gone.

Read from akid at cf82277 (akid/core/*, akid/layers/*, akid/models/brains.py,
akid/sugar, akid/train/tuner.py, akid/datasets, akid/utils): `names` lists
every public name that module exported; each is looked up, at access, under
the same name in the `new` modules.
"""
import dataclasses


@dataclasses.dataclass(frozen=True)
class Alias:
    """One old module.

    new: today's modules its names are looked up in, in order (the first is
      the one the warning tells the user to import from).
    names: akid's public names of the module (its `__all__` today, where they resolve).
    renames: old name -> "module:attr" today, or a tuple of such, the first found.
    gone: old name -> why it has no counterpart and what to do instead.
    package: whether it has sub-modules (which are aliases of their own).
    reason: set when the whole module is gone: importing it raises this.
    instead: what the warning tells the user to do (default: import from new[0]).
    """

    new: tuple = ()
    names: tuple = ()
    renames: dict = dataclasses.field(default_factory=dict)
    gone: dict = dataclasses.field(default_factory=dict)
    package: bool = False
    reason: str = None
    instead: str = None


TF1_COLLECTION = ("a TensorFlow 1 graph collection; TensorFlow 2 has none: the Kid writes "
                  "summaries itself (do_summary=True), and brain.activations(inputs) gives "
                  "every block's output")
COMMON_GONE = {
    **{name: TF1_COLLECTION for name in (
        "TRAIN_SUMMARY_COLLECTION", "VALID_SUMMARY_COLLECTION", "FILTER_WEIGHT_COLLECTION",
        "TRAINING_DYNAMICS_COLLECTION", "ACTIVATION_COLLECTION",
        "AUXILLIARY_SUMMARY_COLLECTION", "AUXILLIARY_STAT_COLLECTION")},
    "SEED": "akid's fixed seed (66478) is gone: seeds are explicit, Kid(..., seed=66478)",
    "LEARNING_RATE_TAG": "the learning rate is logged as 'lr' (metrics.jsonl, TensorBoard); "
                         "read it with kid.kongfu.get_lr()",
    "SPARSITY_SUMMARY_SUFFIX": "activation sparsity is summarized by the Kid "
                               "(do_summary=True), under each block's name",
    **{name: "the global step is the Kid's clock: kid.step, or akid.kids.clock.get_step()"
       for name in ("GLOBAL_STEP", "global_var_scope", "global_step_tensor")},
}
COMMON = ("init",)

SOURCES = ("Source", "SupervisedSource", "StaticSource", "FeedSource", "InMemoryFeedSource",
           "TFSource", "ClassificationTFSource")
SOURCES_GONE = {name: "akid's source bases were one per TensorFlow 1 input path (feed dicts, "
                      "queues); every source serves tf.data now: subclass akid.sources.Source "
                      "and hand your arrays to self._set_data(train=(x, y), val=(x, y)), or use "
                      "ArraySource" for name in SOURCES[1:]}
DATASETS = ("Cifar10Source", "Cifar10FeedSource", "Cifar10TFSource", "Cifar100TFSource",
            "HCifar100TFSource", "MNISTFeedSource", "RotatedMNISTFeedSource", "ImagenetTFSource")
DATASETS_GONE = {
    **{name: "akid's in-memory data holders are a Source's splits now: "
             "source.arrays('train') or source.get_batch(n)" for name in ("DataSet", "DataSets")},
    **{name: "use ImagenetTFSource (akid.sources)" for name in ("ImagenetData", "Dataset")},
}
SENSORS = ("Sensor", "IntegratedSensor", "FeedSensor", "ShuffleQueueSensor")
SENSORS_GONE = {"ShuffleQueueSensor": "TensorFlow 1 queue runners are gone: IntegratedSensor "
                                      "shuffles and batches with tf.data"}
JOKERS = ("Joker", "CropJoker", "FlipJoker", "LightJoker", "WhitenJoker", "RescaleJoker",
          "ResizeJoker", "JokerSystem")
JOKERS_GONE = {"JokerSystem": "a sensor holds its jokers itself: sensor.attach(joker), "
                              "with to_val=True for the validation pipeline"}
KONGFUS = ("LearningRateScheme", "KongFu", "MomentumKongFu", "GradientDescentKongFu",
           "AdamKongFu")
BLOCKS_GONE = {"ShadowableBlock": "TensorFlow 1 shadow copies (a validation brain sharing "
                                  "the training brain's variables) are gone: one brain serves "
                                  "both, brain.set_mode('val')"}
CALLBACKS_GONE = {name: "akid's default hooks are built in: every Kid installs its logging, "
                        "checkpoints and summaries as callbacks (akid.kids.callbacks); hang "
                        "your own f(kid) on kid.hooks.<event>"
                  for name in ("on_train_log_step", "on_val_log_step", "on_train_begin",
                               "on_batch_begin")}

ACTIVATION_LAYERS = ("PoolingLayer", "ReLULayer", "SigmoidLayer", "LRNLayer",
                     "SoftmaxNormalizationLayer", "GroupProcessingLayer", "GroupSoftmaxLayer",
                     "CollapseOutLayer", "BatchNormalizationLayer", "DropoutLayer")
COMMON_LAYERS = ("ReshapeLayer", "PaddingLayer", "MergeLayer", "ScatterLayer")
LOSS_LAYERS = ("LossLayer", "SoftmaxWithLossLayer", "GroupSoftmaxWithLossLayer")
SYNAPSE_LAYERS = ("ConvolutionLayer", "InnerProductLayer", "InvariantInnerProductLayer")
LAYERS_GONE = {
    "GroupSoftmaxWithLossLayer": "akid's loss over group-structured (multi-hot) labels has no "
                                 "counterpart; write a LossLayer subclass (its _forward) for one",
    "InvariantInnerProductLayer": "akid called it 'a half-baked idea'; it was not carried over",
}
LAYERS_RENAMES = {"SynapseLayer": "akid.blocks:WeightedLayer",
                  "GroupProcessingLayer": "akid.blocks.layers.group:GroupLayer"}
SUGAR_NEW = ("akid.brains", "akid.compat.shims")  # shims: `init`, which has nothing to do now
SUGAR = ("cnn_block", "init")
SUGAR_GONE = {"counter": "cnn_block's layers are numbered within each brain now"}
ZOO = ("OneLayerBrain", "MnistTfTutorialNet", "VGGNet", "CifarResNet", "ImagenetResNet")
# akid's nets whose names today's zoo gives to other networks (brains/akid_nets.py).
ZOO_RENAMES = {"AlexNet": "akid.brains:AkidAlexNet", "LeNet": "akid.brains:AkidLeNet",
               "ResNet": "akid.brains:PreActResNet"}


def _layers(names):
    return Alias(("akid.blocks",), names, LAYERS_RENAMES, LAYERS_GONE)


ALIASES = {
    # akid's own top level (`from akid import *` of akid/__init__.py): no warning,
    # these are today's top-level names too; read by akid/__init__.py's __getattr__.
    "akid": Alias(("akid.sources", "akid.sensors", "akid.brains", "akid.kids", "akid.kongfu",
                   "akid.blocks", "akid.kids.clock"),
                  SOURCES + DATASETS + SENSORS + JOKERS + KONGFUS + COMMON + ("Brain", "Observer"),
                  gone={**COMMON_GONE, **SOURCES_GONE, **DATASETS_GONE, **SENSORS_GONE,
                        **JOKERS_GONE}),
    "akid.core": Alias(package=True),
    "akid.core.blocks": Alias(("akid.blocks",), ("Block",),
                              {"ProcessingLayer": "akid.blocks:Block"}, BLOCKS_GONE),
    "akid.core.brains": Alias(("akid.brains",), ("Brain",)),
    "akid.core.callbacks": Alias(("akid.kids.callbacks",), gone=CALLBACKS_GONE),
    "akid.core.common": Alias(("akid.kids.clock",), COMMON, gone=COMMON_GONE),
    "akid.common": Alias(("akid.kids.clock",), COMMON, gone=COMMON_GONE),
    "akid.core.engines": Alias(("akid.kids.engines",), ("Engine", "DataParallelEngine"),
                               {"SingleGPUEngine": "akid.kids.engines:SingleEngine"}),
    "akid.core.jokers": Alias(("akid.sensors",), JOKERS, gone=JOKERS_GONE),
    "akid.core.kids": Alias(("akid.kids",), ("Kid",)),
    "akid.core.kongfus": Alias(("akid.kongfu",), KONGFUS),
    "akid.core.observer": Alias(("akid.kids.observer",), ("Observer",)),
    "akid.core.sensors": Alias(("akid.sensors",), SENSORS, gone=SENSORS_GONE),
    "akid.core.sources": Alias(("akid.sources",), SOURCES, gone=SOURCES_GONE),
    "akid.core.systems": Alias(("akid.blocks",), ("System", "GraphSystem"),
                               {"LinkedSystem": "akid.blocks:SequentialSystem"}),
    "akid.layers": Alias(("akid.blocks",), ACTIVATION_LAYERS + COMMON_LAYERS + LOSS_LAYERS
                         + SYNAPSE_LAYERS, LAYERS_RENAMES, LAYERS_GONE, package=True),
    "akid.layers.activation_layers": _layers(ACTIVATION_LAYERS),
    "akid.layers.common_layers": _layers(COMMON_LAYERS),
    "akid.layers.loss_layers": _layers(LOSS_LAYERS),
    "akid.layers.synapse_layers": _layers(SYNAPSE_LAYERS + ("SynapseLayer",)),
    "akid.models": Alias(("akid.brains",), ZOO, ZOO_RENAMES, package=True),
    "akid.models.brains": Alias(("akid.brains",), ZOO, ZOO_RENAMES),
    "akid.sugar": Alias(SUGAR_NEW, SUGAR, gone=SUGAR_GONE, package=True),
    "akid.sugar.block_templates": Alias(SUGAR_NEW, SUGAR, gone=SUGAR_GONE),
    "akid.train": Alias(package=True),
    "akid.train.tuner": Alias(("akid.kids.tuner",), ("tune",), gone={
        name: "the tuner starts and watches every instance itself: akid.kids.tune(...)"
        for name in ("spawn", "spawn_using_sub_shell", "NETWORK_LOG_HEADER")}),
    "akid.datasets": Alias(("akid.sources",), DATASETS, gone=DATASETS_GONE),
    "akid.utils": Alias(package=True),
    "akid.utils.glog": Alias(("akid.compat.shims",), (
        "debug", "info", "warning", "warn", "error", "exception", "fatal", "init", "setLevel",
        "DEBUG", "INFO", "WARNING", "WARN", "ERROR", "FATAL"),
        instead="log with akid.kids.logs.logger() (a logging.Logger) or the logging module"),
    "akid.utils.test": Alias(reason="akid's TensorFlow 1 test harness (AKidTestCase, "
                                    "TestFactory) is gone; akid's tests use pytest now"),
    "akid.utils.tf_to_caffe": Alias(reason="akid's Caffe export worked on TensorFlow 1 "
                                           "sessions; export a SavedModel: kid.export(path)"),
    "akid.ops": Alias(gone={"msra_initializer": "use init_para={'name': 'msra'}"},
                      package=True),
    "akid.ops.image_ops": Alias(reason="use tf.image; augmentations are Jokers (akid.sensors)"),
    "akid.ops.random_ops": Alias(reason="use tf.random; seeds are explicit: Kid(seed=...)"),
    "akid.examples": Alias(reason="akid's examples are not installed; this repository's "
                                  "examples/ folder holds today's"),
}
