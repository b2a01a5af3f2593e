"""Kidfiles: include/merge, templating, containers and wiring, errors, and the `akid` command."""
import json
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

import akid
from akid import spec as kidfile
from akid.spec import SpecError
from akid.spec.merge import merge
from akid.spec.model import read_model

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MNIST_YML = os.path.join(ROOT, "examples", "mnist.yml")


def write(folder, name, text):
    path = os.path.join(folder, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(textwrap.dedent(text))
    return path


# -- include and merge strategies -----------------------------------------------------------

INCLUDED = {"a": 1, "d": {"x": 1, "y": [1, 2, 3]}, "l": [{"p": 1, "q": 1}, 2, 3],
            "mixed": {"k": 1}, "only_included": True}
INCLUDING = {"a": 2, "d": {"y": [9], "z": 0}, "l": [{"p": 5}, 7],
             "mixed": [1], "only_including": "t"}


@pytest.mark.parametrize("method, expected", [
    ("blend", {"a": 2, "d": {"x": 1, "y": [9, 2, 3], "z": 0}, "l": [{"p": 5, "q": 1}, 7, 3],
               "mixed": [1], "only_included": True, "only_including": "t"}),
    ("merge", {"a": 2, "d": {"x": 1, "y": [9], "z": 0}, "l": [{"p": 5}, 7],
               "mixed": [1], "only_included": True, "only_including": "t"}),
    ("concat", {"a": 2, "d": {"x": 1, "y": [1, 2, 3, 9], "z": 0},
                "l": [{"p": 1, "q": 1}, 2, 3, {"p": 5}, 7],
                "mixed": [1], "only_included": True, "only_including": "t"}),
])
def test_merge_strategies_on_nested_data(method, expected):
    before = json.dumps([INCLUDED, INCLUDING])
    assert merge(INCLUDED, INCLUDING, method) == expected
    assert json.dumps([INCLUDED, INCLUDING]) == before  # nothing modified in place


def test_includes_are_recursive_relative_and_in_order(tmp_path):
    write(tmp_path, "sub/deep.yml", """
        settings: {depth: deep, shared: deep}
        train: {hooks: [d1]}
    """)
    write(tmp_path, "sub/b.yml", """
        include: [{source: deep.yml, method: concat}]   # relative to sub/
        settings: {shared: b, only_b: 1}
        train: {hooks: [b1], provider: {batch_size: 8}}
    """)
    write(tmp_path, "a.yml", """
        settings: {shared: a, only_a: 1}
        train: {hooks: [a1, a2, a3, a4], provider: {batch_size: 4, randomize: no}}
    """)
    top = write(tmp_path, "top.yml", """
        include:
          - a.yml
          - {source: sub/b.yml, method: concat}
        settings: {shared: top}
        train: {hooks: [top1]}
    """)
    data = kidfile.load(top).data
    # a later include overrides an earlier one, the including file overrides them all
    assert dict(data["settings"]) == {"shared": "top", "only_a": 1, "depth": "deep",
                                      "only_b": 1}
    assert data["train"]["provider"] == {"batch_size": 8, "randomize": False}
    # b is deep's [d1] + [b1] (concat); top concatenates it with [top1]; a's longer list
    # is blended under that, element by element, and keeps its extra element
    assert data["train"]["hooks"] == ["d1", "b1", "top1", "a4"]


def test_include_errors_name_the_file(tmp_path):
    loop = write(tmp_path, "loop.yml", "include: other.yml\n")
    write(tmp_path, "other.yml", "include: loop.yml\n")
    with pytest.raises(SpecError, match=r"include cycle: .*loop\.yml -> .*other\.yml -> .*loop"):
        kidfile.load(loop)
    missing = write(tmp_path, "missing.yml", "include: [{source: nope.yml, method: blend}]\n")
    with pytest.raises(SpecError, match=r"missing\.yml:1: section 'include', entry 0: "
                                        r"included file 'nope.yml' not found"):
        kidfile.load(missing)
    method = write(tmp_path, "method.yml", "include: [{source: other.yml, method: mix}]\n")
    with pytest.raises(SpecError, match="unknown include method 'mix'"):
        kidfile.load(method)


# -- settings and templates ---------------------------------------------------------------


def test_settings_render_into_every_section_with_yaml_types(tmp_path):
    path = write(tmp_path, "t.yml", """
        settings:
          batch_size: 64
          lr: 1.0e-5
          sizes: [2, 2]
          quoted: "32"
          name: run
          log: "logs/{{ name }}"        # a setting may use another
        train:
          provider: {batch_size: "{{ batch_size }}"}
          lr: "{{ lr }}"
          ksize: "{{ sizes }}"
          text: "n{{ batch_size }}"
          half: "{{ batch_size // 2 }}"
          quoted: "{{ quoted }}"
          flow: "[{{ batch_size }}, 1]"
          fallback: "{{ missing | default(7) }}"
          flag: "{{ 'yes' }}"
          log: "{{ log }}"
        test:
          same_size: "{{ train.provider.batch_size }}"   # rendered sections are variables too
    """)
    train = kidfile.load(path).data["train"]
    batch_size = train["provider"]["batch_size"]
    assert batch_size == 64 and isinstance(batch_size, int)
    assert train["lr"] == 1e-5 and isinstance(train["lr"], float)
    assert train["ksize"] == [2, 2]
    assert train["text"] == "n64"
    assert train["half"] == 32
    assert train["quoted"] == 32          # a rendered "32" becomes the int 32
    assert train["flow"] == [64, 1]
    assert train["fallback"] == 7
    assert train["flag"] is True
    assert train["log"] == "logs/run"
    assert kidfile.load(path, overrides=["batch_size=16"]).data["test"]["same_size"] == 16


def test_overrides_set_settings_and_dotted_paths(tmp_path):
    path = write(tmp_path, "o.yml", """
        settings: {epochs: 5}
        train: {epochs: "{{ epochs }}", provider: {batch_size: 8}}
        model: [{inner_product: 3}, {relu: null}]
    """)
    data = kidfile.load(path, ["epochs=1", "train.provider.num_batches=3",
                               "model.1={sigmoid: null}"]).data
    assert data["train"]["epochs"] == 1
    assert data["train"]["provider"] == {"batch_size": 8, "num_batches": 3}
    assert data["model"][1] == {"sigmoid": None}
    with pytest.raises(SpecError, match="--set takes KEY=VALUE"):
        kidfile.load(path, ["epochs"])
    with pytest.raises(SpecError, match="model is a list of 2; '7' is not an index"):
        kidfile.load(path, ["model.7=1"])


def test_an_undefined_variable_names_file_section_and_entry(tmp_path):
    path = write(tmp_path, "u.yml", """
        settings: {batch_size: 64}
        train:
          provider:
            batch_size: "{{ batch_sise }}"
    """)
    with pytest.raises(SpecError, match=r"u\.yml:5: section 'train', provider\.batch_size: "
                                        r"template .* 'batch_sise' is undefined"):
        kidfile.load(path)


# -- the model: names, tags, oldest, loops, wiring ----------------------------------------


def test_tags_oldest_and_inputs_resolve_as_in_kur(tmp_path):
    path = write(tmp_path, "tags.yml", """
        model:
          - input: images
          - inner_product: 4
            name: a
            tag: t
            oldest: o
          - inner_product: 4
            name: b
            inputs: t                     # a tag: the latest container that took it, a
            tag: t
            oldest: o                     # o stays with a
          - inner_product: 4
            name: c
            inputs: "{{ tags.t }}"        # b, which took t last
          - inner_product: 4
            name: d
            inputs: "{{ oldest.o }}"      # a
          - inner_product: 4
            inputs: o                     # an oldest tag by name: a
          - merge: concat
            inputs: [c, d, __inner_product_0, later]
          - inner_product: 2
            name: later                   # inputs may name a later container
            inputs: images
          - inner_product: 3              # default input: the most recent container
    """)
    model = read_model(kidfile.load(path))
    refs = {c.name: c.refs for c in model.containers}
    assert refs["b"] == [("a", None)]
    assert refs["c"] == [("b", None)]
    assert refs["d"] == [("a", None)]
    assert refs["__inner_product_0"] == [("a", None)]  # generated names start with __
    assert refs["__merge_0"] == [("c", None), ("d", None), ("__inner_product_0", None),
                                 ("later", None)]
    assert refs["later"] == [("system_in", [0])]
    assert refs["__inner_product_1"] == [("later", None)]
    assert model.tags == {"t": "b"} and model.oldest == {"o": "a"}

    brain = kidfile.build_brain(kidfile.load(path))
    out = brain(tf.ones([2, 5]))
    assert out.shape == (2, 3)
    names = [b.name for b in brain.blocks]
    assert names.index("later") < names.index("__merge_0")  # attached after its inputs
    assert ("later", "__merge_0") in brain.graph()["edges"]


def test_a_two_input_model_with_a_named_merge(tmp_path):
    path = write(tmp_path, "two.yml", """
        model:
          - input: left
          - input: right
          - inner_product: 8
            name: l
            inputs: left
          - inner_product: 8
            name: r
            inputs: right
          - merge: {mode: concat}
            name: joined
            inputs: [l, r]
          - inner_product: 3
            name: out
        loss:
          - target: out
            name: categorical_crossentropy
    """)
    brain = kidfile.build_brain(kidfile.load(path))
    left, right = tf.random.normal([4, 5]), tf.random.normal([4, 6])
    labels = tf.constant([0, 1, 2, 0])
    assert brain([left, right, labels]).shape == (4, 3)
    assert np.isfinite(float(brain.loss)) and "accuracy" in brain.eval
    edges = set(brain.graph()["edges"])
    assert {("system_in", "l"), ("system_in", "r"), ("l", "joined"), ("r", "joined"),
            ("joined", "out"), ("out", "loss"), ("system_in", "loss")} <= edges
    assert brain.get_layer_by_name("l").inputs is None  # akid's default: system_in[0]
    assert brain.get_layer_by_name("r").inputs == [{"name": "system_in", "idxs": [1]}]
    assert brain.get_layer_by_name("loss").inputs == ["out", {"name": "system_in", "idxs": [2]}]
    seen = brain.activations([left, right, labels])
    np.testing.assert_allclose(seen["joined"], np.concatenate([seen["l"], seen["r"]], axis=1))


def test_for_loops_parallel_zoo_and_weighted_losses(tmp_path):
    path = write(tmp_path, "ops.yml", """
        settings: {units: [6, 4]}
        model:
          - input: steps
          - for:
              range: 2
              with_index: i
              iterate:
                - inner_product: "{{ units[i] }}"
                  name: "ip{{ i }}"
                - activation: {type: leaky_relu, alpha: 0.1}
          - parallel:
              apply:
                - inner_product: 5
                  name: shared
            name: per_step
            inputs: steps
            sink: yes
        loss:
          - {target: ip1, name: mean_squared_error, weight: 0.5}
    """)
    built = kidfile.build(kidfile.load(path))
    assert [c.name for c in built.model.containers] == [
        "ip0", "__activation_0", "ip1", "__activation_1", "per_step"]
    assert built.model.outputs() == ["per_step"]
    brain = built.brain
    x, y = tf.random.normal([3, 7, 2]), tf.zeros([3, 4])
    seen = brain.activations([x, y])
    assert seen["ip0"].shape == (3, 6) and seen["per_step"].shape == (3, 7, 5)
    shared = brain.get_layer_by_name("per_step").get_layer_by_name("shared")
    assert shared.var_list[0].shape == (2, 5)  # one set of weights for all 7 steps
    np.testing.assert_allclose(seen["per_step"][:, 3],
                               x[:, 3] @ shared.var_list[0] + shared.var_list[1], atol=1e-5)
    assert type(brain.get_layer_by_name("loss")).__name__ == "WeightedMSELossLayer"
    assert float(brain.compute([x, y]).losses["loss"]) == \
        pytest.approx(0.5 * np.mean(np.square(seen["ip1"])), rel=1e-5)



def test_a_zoo_brain_is_the_model_and_evaluates_without_truth(tmp_path):
    images = np.random.default_rng(0).random((10, 12, 12, 1)).astype("float32")
    np.save(tmp_path / "images.npy", {"images": images})
    path = write(tmp_path, "zoo.yml", f"""
        model:
          - one_layer_brain: {{class_num: 3}}
            name: small
        evaluate:
          data: [numpy_dict: "{tmp_path}/images.npy"]
          provider: {{batch_size: 4}}
          weights: "{tmp_path}/small"
    """)
    small = kidfile.build_brain(kidfile.load(path))
    assert type(small) is akid.OneLayerBrain and small.name == "small"  # no wrapper brain
    small.set_mode("test")
    expected = small([images, np.zeros(10, np.int32)])
    tf.train.Checkpoint(brain=small).write(str(tmp_path / "small"))
    result, truth = kidfile.evaluate(kidfile.load(path))
    assert truth is None
    np.testing.assert_allclose(result["small"], expected, atol=1e-5)


def test_the_kidfile_lenet_is_akids_lenet(tmp_path):
    spec = kidfile.load(MNIST_YML)
    ours, theirs = kidfile.build_brain(spec), akid.LeNet()
    x, y = np.random.rand(3, 28, 28, 1).astype("float32"), np.array([1, 2, 3])
    ours([x, y]), theirs([x, y])
    assert ours.graph() == theirs.graph()
    assert ours.name == theirs.name == "lenet"
    assert [v.name for v in ours.var_list] == [v.name for v in theirs.var_list]
    count = sum(int(tf.size(v)) for v in ours.trainable_variables)
    assert count == sum(int(tf.size(v)) for v in theirs.trainable_variables) == 1_663_370
    # The same checkpoint keys: LeNet's weights load into the Kidfile's brain.
    path = tf.train.Checkpoint(brain=theirs).write(str(tmp_path / "lenet"))
    tf.train.Checkpoint(brain=ours).read(path).assert_existing_objects_matched()
    ours.set_mode("val"), theirs.set_mode("val")
    np.testing.assert_allclose(ours([x, y]), theirs([x, y]), atol=1e-5)


# -- errors that name file, section and entry ----------------------------------------------


@pytest.mark.parametrize("text, message", [
    ("""
     model:
       - input: images
       - convolutionn: {ksize: [3, 3]}
         name: c1
     """, r"bad\.yml:4: section 'model', entry 1 \('convolutionn'\): unknown container "
          r"'convolutionn' \(did you mean 'convolution'\?\)"),
    ("""
     model:
       - inner_product: 4
         name: out
     loss:
       - name: categorical_crossentropy
     """, r"bad\.yml:6: section 'loss', entry 0: missing 'target'"),
    ("""
     settings: {a: 1}
     model:
       - inner_product: {out_channel_num: 4
         name: out
     """, r"bad\.yml:5: section 'model', line 5: `name: out`: bad YAML"),
    ("""
     model:
       - input: images
       - inner_product: 4
         name: a
         inputs: c
       - inner_product: 4
         name: b
         inputs: a
       - merge: sum
         name: c
         inputs: [b, images]
     """, r"bad\.yml:4: section 'model', entry 1 \('inner_product'\): cycle through inputs: "
          r"a <- c <- b <- a"),
    ("""
     model:
       - inner_product: 4
         name: a
       - relu: null
         name: a
     """, r"bad\.yml:5: section 'model', entry 1 \('relu'\): duplicate name 'a'"),
    ("""
     model:
       - inner_product: {out_channel_num: 4, padding: SAME}
     """, r"section 'model', entry 0 \('inner_product'\): 'inner_product' has no "
          r"argument\(s\) 'padding'"),
    ("""
     model:
       - inner_product: 4
         inputs: nowhere
     """, r"entry 0 \('inner_product'\): input 'nowhere' is not a container, input or tag"),
    ("""
     model:
       - for:
           range: 2
           iterate:
             - brain:
                 - relu: null
                 - pooll: {}
               name: "b{{ index }}"
     """, r"bad\.yml:8: section 'model', entry 0\[index=0\]/0/1 \('pooll'\): unknown "
          r"container 'pooll' \(did you mean 'pool'\?\)"),
])
def test_bad_specs_name_file_section_and_entry(tmp_path, capsys, text, message):
    path = write(tmp_path, "bad.yml", text)
    with pytest.raises(SpecError, match=message):
        kidfile.build(kidfile.load(path))
    assert kidfile.main(["dump", path]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("akid: error: ") and "bad.yml" in err


def test_block_argument_errors_are_located(tmp_path):
    path = write(tmp_path, "args.yml", """
        model:
          - dropout: {keep_prob: 0}
            name: drop
    """)
    with pytest.raises(SpecError, match=r"args\.yml:3: section 'model', entry 0 \('dropout'\): "
                                        r"Block 'drop' \(DropoutLayer\): keep_prob"):
        kidfile.build(kidfile.load(path))


def test_section_typos_and_missing_sections_are_errors(tmp_path):
    path = write(tmp_path, "typo.yml", """
        model: [{inner_product: 2}]
        train: {epoch: 3}
    """)
    with pytest.raises(SpecError, match=r"typo\.yml:3: section 'train': unknown key\(s\) "
                                        r"'epoch'; a train section takes data, provider, epochs"):
        kidfile.train(kidfile.load(path))
    with pytest.raises(SpecError, match=r"section 'evaluate': this command needs the 'evaluate' "
                                        r"section"):
        kidfile.evaluate(kidfile.load(path))


# -- data, training, evaluation -------------------------------------------------------------


def blob_points():
    """240 points of 3 separable blobs in 6-D and their labels."""
    rng = np.random.default_rng(0)
    centers = rng.normal(0, 3, (3, 6))
    labels = rng.integers(0, 3, 240)
    return (centers[labels] + rng.normal(0, 0.5, (240, 6))).astype("float32"), labels


def test_numpy_dict_and_pickle_data_train_plot_and_evaluate(tmp_path):
    points, labels = blob_points()
    np.save(tmp_path / "train.npy", {"points": points[:200], "labels": labels[:200]})
    with open(tmp_path / "val.pkl", "wb") as f:
        pickle.dump({"points": points[200:], "labels": labels[200:]}, f)
    path = write(tmp_path, "blobs.yml", f"""
        settings: {{seed: 1, log: "{tmp_path}/log"}}
        model:
          - input: points
          - inner_product: 16
          - relu: null
          - inner_product: 3
            name: scores
        loss:
          - {{target: scores, name: categorical_crossentropy}}
        train:
          data: [numpy_dict: "{tmp_path}/train.npy"]
          provider: {{batch_size: 20, num_batches: 5}}
          epochs: 6
          optimizer: {{name: sgd, momentum: 0.9, learning_rate: 0.1}}
          checkpoint: {{epochs: 3}}
          log: "{{{{ log }}}}"
          hooks: [plot]
          summary: no
          weights: {{last: "{tmp_path}/last/weights"}}
        validate:
          data: [pickle: "{tmp_path}/val.pkl"]
          provider: {{batch_size: 20}}
        evaluate:
          data: [pickle: "{tmp_path}/val.pkl"]
          destination: "{{{{ log }}}}/out.pkl"
    """)
    kid = kidfile.train(kidfile.load(path))
    try:
        assert kid.step == 30 and kid.sensor.num_batches_per_epoch == 5
        assert kid.evals["accuracy"] > 0.9
        assert type(kid.kongfu).__name__ == "MomentumKongFu"
        val_steps = [r["step"] for r in akid.read_metrics(kid.log_dir) if r["split"] == "val"]
        assert val_steps == [15, 30]
        assert os.path.isfile(tmp_path / "log" / "observer" / "training.png")
        assert os.path.isfile(tmp_path / "last" / "weights.index")
    finally:
        kid.teardown()
    # Training again resumes the run (epochs count in total): nothing left to do.
    again = kidfile.train(kidfile.load(path))
    assert again.step == 30
    again.teardown()
    with pytest.raises(SpecError, match=r"section 'train', weights: initial weights .* not "
                                        r"found \(must_exist: yes\)"):
        kidfile.train(kidfile.load(path, [f"log={tmp_path}/fresh",
                                          "train.weights={initial: nowhere, must_exist: yes}"]))
    result, truth = kidfile.evaluate(kidfile.load(path))
    with open(tmp_path / "log" / "out.pkl", "rb") as f:
        written = pickle.load(f)
    assert written["result"]["scores"].shape == (40, 3)
    np.testing.assert_array_equal(written["truth"]["scores"], labels[200:])
    accuracy = np.mean(np.argmax(written["result"]["scores"], axis=1) == labels[200:])
    assert accuracy == pytest.approx(kid.evals["accuracy"])


def test_mnist_idx_files_and_splits(tmp_path):
    from akid.sources import write_idx
    from akid.spec.data import Suppliers

    rng = np.random.default_rng(0)
    for kind, n in (("train", 30), ("t10k", 8)):
        write_idx(str(tmp_path / f"{kind}-images-idx3-ubyte.gz"),
                  rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(str(tmp_path / f"{kind}-labels-idx1-ubyte.gz"),
                  rng.integers(0, 10, n).astype(np.uint8))
    path = write(tmp_path, "idx.yml", f"""
        settings:
          mnist: {{work_dir: "{tmp_path}", num_val: 10, sha256: {{
            train-images-idx3-ubyte.gz: null, train-labels-idx1-ubyte.gz: null,
            t10k-images-idx3-ubyte.gz: null, t10k-labels-idx1-ubyte.gz: null}}}}
        model: [{{inner_product: 10}}]
        train: {{data: [mnist: "{{{{ mnist }}}}"]}}
        validate: {{data: [mnist: "{{{{ mnist }}}}"]}}
        test: {{data: [mnist: "{{{{ mnist }}}}"]}}
        evaluate: {{data: [{{mnist: {{subset: yes}}}}]}}
    """)
    suppliers = Suppliers(kidfile.load(path))
    sizes = {s: len(suppliers.arrays(s)[0]) for s in ("train", "validate", "test")}
    assert sizes == {"train": 20, "validate": 10, "test": 8}
    assert suppliers.arrays("train")[0].shape[1:] == (28, 28, 1)
    assert len(suppliers._sources) == 1  # one source serves the three sections
    with pytest.raises(SpecError, match=r"section 'evaluate', data entry 0 \('mnist'\): .*no "
                                        r"test data.*choose another with `split:`"):
        suppliers.arrays("evaluate")


def test_akid_train_evaluate_and_test_on_mnist_yml(tmp_path, capsys):
    log = str(tmp_path / "mnist")
    quick = ["--set", "epochs=1", "--set", "train.provider.num_batches=3",
             "--set", f"log_dir={log}", "--set", "train.hooks=[]"]
    assert kidfile.main(["train", MNIST_YML, *quick]) == 0
    out = capsys.readouterr().out
    assert out.startswith("trained 3 steps (1.00 epochs): validation loss") and log in out
    records = akid.read_metrics(log)
    assert [r["step"] for r in records if r["split"] == "val"] == [3]
    assert tf.train.latest_checkpoint(os.path.join(log, "model")).endswith("ckpt-3")
    assert tf.train.latest_checkpoint(os.path.join(log, "model", "best"))

    assert kidfile.main(["evaluate", MNIST_YML, "--set", f"log_dir={log}"]) == 0
    with open(os.path.join(log, "mnist.results.pkl"), "rb") as f:
        written = pickle.load(f)
    images, labels = akid.MNISTSubsetSource().arrays("val")
    np.testing.assert_array_equal(written["truth"]["ip2"], labels)
    # The trained weights, read by the Python API's LeNet, give the same predictions.
    lenet = akid.LeNet()
    lenet([images[:2], labels[:2]])
    tf.train.Checkpoint(brain=lenet).read(
        tf.train.latest_checkpoint(os.path.join(log, "model"))).expect_partial()
    lenet.set_mode("test")
    np.testing.assert_allclose(written["result"]["ip2"], lenet([images, labels]), atol=1e-4)

    capsys.readouterr()
    assert kidfile.main(["test", MNIST_YML, "--set", f"log_dir={log}"]) == 0
    val = [r for r in records if r["split"] == "val"][-1]
    assert capsys.readouterr().out == (f"test loss {val['loss']:.4f}, "
                                       f"accuracy {val['accuracy']:.4f}\n")


def test_dump_prints_only_the_json_spec():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run([sys.executable, "-m", "akid.spec", "dump", MNIST_YML,
                           "--set", "epochs=2"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["train"]["epochs"] == 2 and data["train"]["provider"]["batch_size"] == 64
    names = [c.get("name", c.get("input")) for c in data["model"]]
    assert names == ["images", "conv1", "conv2", "ip1", "ip2"]
    assert data["model"][2]["brain"][0]["convolution"]["out_channel_num"] == 64
